import Foundation

/// A concrete proposal with a code unique in its workshop ("N", "AK1-03").
public struct Recommendation: Codable, Sendable, Equatable {
    public var id: UUID
    public var workshopId: UUID
    public var code: String
    public var title: String
    public var body: String
    public var workingGroupId: UUID?
    public var thesisIds: [UUID]
    public var lead: [String]
    public var timeframe: Timeframe?
    public var timeframeText: String?
    public var createdAt: Date

    public init(id: UUID, workshopId: UUID, code: String, title: String, body: String,
                workingGroupId: UUID?, thesisIds: [UUID], lead: [String], timeframe: Timeframe?,
                createdAt: Date) {
        self.id = id; self.workshopId = workshopId; self.code = code; self.title = title
        self.body = body; self.workingGroupId = workingGroupId; self.thesisIds = thesisIds
        self.lead = lead; self.timeframe = timeframe; self.timeframeText = timeframe?.text()
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, code, title, body, lead, timeframe
        case workshopId = "workshop_id", workingGroupId = "working_group_id"
        case thesisIds = "thesis_ids", timeframeText = "timeframe_text", createdAt = "created_at"
    }
}

/// The body of `POST /v1/workshops/{workshop_id}/recommendations`.
public struct NewRecommendation: Codable, Sendable {
    public var code: String
    public var title: String
    public var body: String
    public var workingGroupId: UUID?
    public var thesisIds: [UUID]?
    public var lead: [String]?
    public var timeframe: Timeframe?

    public init(code: String, title: String, body: String, workingGroupId: UUID? = nil, thesisIds: [UUID]? = nil, lead: [String]? = nil, timeframe: Timeframe? = nil) {
        self.code = code; self.title = title; self.body = body; self.workingGroupId = workingGroupId; self.thesisIds = thesisIds; self.lead = lead; self.timeframe = timeframe
    }

    enum CodingKeys: String, CodingKey {
        case code, title, body, lead, timeframe
        case workingGroupId = "working_group_id", thesisIds = "thesis_ids"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(code, "code", max: 40, into: &errors)
        Check.text(title, "title", max: 300, into: &errors)
        Check.optionalText(body, "body", max: 20_000, into: &errors)
        if let lead {
            if lead.count > 20 { errors.append(.init("lead", "must name at most 20 organisations")) }
            for (i, name) in lead.enumerated() { Check.text(name, "lead[\(i)]", max: 300, into: &errors) }
        }
        if let thesisIds {
            if thesisIds.count > 500 { errors.append(.init("thesis_ids", "must list at most 500 theses")) }
            if Set(thesisIds).count != thesisIds.count { errors.append(.init("thesis_ids", "must not repeat a thesis")) }
        }
        errors += timeframe?.violations() ?? []
        return errors
    }
}
