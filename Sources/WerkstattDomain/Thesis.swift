import Foundation

/// A statement brought in for discussion.
public struct Thesis: Codable, Sendable, Equatable {
    public var id: UUID
    public var workshopId: UUID
    public var authorId: UUID
    public var title: String
    public var body: String
    public var workingGroupId: UUID?
    public var eventId: UUID?
    public var withdrawn: Bool
    /// Why the thesis was withdrawn; the thesis and its discussion stay.
    public var withdrawnReason: String?
    public var createdAt: Date
    /// Present on `GET /v1/theses/{thesis_id}`.
    public var stances: StanceSummary?

    public init(id: UUID, workshopId: UUID, authorId: UUID, title: String, body: String,
                workingGroupId: UUID?, eventId: UUID?, withdrawn: Bool, withdrawnReason: String? = nil,
                createdAt: Date, stances: StanceSummary? = nil) {
        self.id = id; self.workshopId = workshopId; self.authorId = authorId; self.title = title
        self.body = body; self.workingGroupId = workingGroupId; self.eventId = eventId
        self.withdrawn = withdrawn; self.withdrawnReason = withdrawnReason; self.createdAt = createdAt; self.stances = stances
    }

    enum CodingKeys: String, CodingKey {
        case id, title, body, withdrawn, stances
        case withdrawnReason = "withdrawn_reason"
        case workshopId = "workshop_id", authorId = "author_id"
        case workingGroupId = "working_group_id", eventId = "event_id", createdAt = "created_at"
    }
}

/// The body of `POST /v1/workshops/{workshop_id}/theses`.
public struct NewThesis: Codable, Sendable {
    public var title: String
    public var body: String
    public var workingGroupId: UUID?
    public var eventId: UUID?

    public init(title: String, body: String, workingGroupId: UUID? = nil, eventId: UUID? = nil) {
        self.title = title; self.body = body; self.workingGroupId = workingGroupId; self.eventId = eventId
    }

    enum CodingKeys: String, CodingKey {
        case title, body
        case workingGroupId = "working_group_id", eventId = "event_id"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(title, "title", max: 300, into: &errors)
        Check.text(body, "body", max: 20_000, into: &errors)
        return errors
    }
}

/// The body of `POST /v1/theses/{thesis_id}/withdraw`.
public struct WithdrawThesis: Codable, Sendable {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(reason, "reason", max: 2_000, into: &errors)
        return errors
    }
}
