import Foundation

/// A dated session of a workshop (place, time).
public struct Event: Codable, Sendable, Equatable {
    public var id: UUID
    public var workshopId: UUID
    public var title: String
    public var place: String?
    public var startsAt: Date
    public var createdAt: Date

    public init(id: UUID, workshopId: UUID, title: String, place: String?, startsAt: Date, createdAt: Date) {
        self.id = id; self.workshopId = workshopId; self.title = title; self.place = place
        self.startsAt = startsAt; self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, title, place
        case workshopId = "workshop_id", startsAt = "starts_at", createdAt = "created_at"
    }
}

/// The body of `POST /v1/workshops/{workshop_id}/events`.
public struct NewEvent: Codable, Sendable {
    public var title: String
    public var place: String?
    public var startsAt: Date

    public init(title: String, place: String? = nil, startsAt: Date) {
        self.title = title; self.place = place; self.startsAt = startsAt
    }

    enum CodingKeys: String, CodingKey {
        case title, place
        case startsAt = "starts_at"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(title, "title", max: 300, into: &errors)
        Check.optionalText(place, "place", max: 300, into: &errors)
        return errors
    }
}
