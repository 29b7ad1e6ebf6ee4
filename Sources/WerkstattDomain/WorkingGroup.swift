import Foundation

/// A thematic strand inside a workshop ("AK 1", Arbeitskreis, Handlungsfeld).
public struct WorkingGroup: Codable, Sendable, Equatable {
    public var id: UUID
    public var workshopId: UUID
    public var code: String
    public var title: String
    public var description: String?
    public var createdAt: Date

    public init(id: UUID, workshopId: UUID, code: String, title: String, description: String?, createdAt: Date) {
        self.id = id; self.workshopId = workshopId; self.code = code; self.title = title
        self.description = description; self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, code, title, description
        case workshopId = "workshop_id", createdAt = "created_at"
    }
}

/// The body of `POST /v1/workshops/{workshop_id}/working-groups`.
public struct NewWorkingGroup: Codable, Sendable {
    public var code: String
    public var title: String
    public var description: String?

    public init(code: String, title: String, description: String? = nil) {
        self.code = code; self.title = title; self.description = description
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(code, "code", max: 40, into: &errors)
        Check.text(title, "title", max: 300, into: &errors)
        Check.optionalText(description, "description", max: 20_000, into: &errors)
        return errors
    }
}
