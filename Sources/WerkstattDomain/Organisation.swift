import Foundation

/// A company, chamber, union, university, ministry … that members may speak for.
public struct Organisation: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var stakeholderGroup: StakeholderGroup
    public var region: String?
    public var createdAt: Date

    public init(id: UUID, name: String, stakeholderGroup: StakeholderGroup, region: String?, createdAt: Date) {
        self.id = id; self.name = name; self.stakeholderGroup = stakeholderGroup
        self.region = region; self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, region
        case stakeholderGroup = "stakeholder_group", createdAt = "created_at"
    }
}

/// The body of `POST /v1/organisations`.
public struct NewOrganisation: Codable, Sendable {
    public var name: String
    public var stakeholderGroup: StakeholderGroup
    public var region: String?

    public init(name: String, stakeholderGroup: StakeholderGroup, region: String? = nil) {
        self.name = name; self.stakeholderGroup = stakeholderGroup; self.region = region
    }

    enum CodingKeys: String, CodingKey {
        case name, region
        case stakeholderGroup = "stakeholder_group"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(name, "name", max: 300, into: &errors)
        Check.optionalText(region, "region", max: 300, into: &errors)
        return errors
    }
}

/// The body of `PATCH /v1/organisations/{organisation_id}` (admin): fields left out stay
/// as they are. The stakeholder group cannot change while a round is open in a workshop
/// where the organisation has members.
public struct OrganisationChange: Codable, Sendable {
    public var name: String?
    public var stakeholderGroup: StakeholderGroup?
    public var region: String?

    public init(name: String? = nil, stakeholderGroup: StakeholderGroup? = nil, region: String? = nil) {
        self.name = name; self.stakeholderGroup = stakeholderGroup; self.region = region
    }

    enum CodingKeys: String, CodingKey {
        case name, region
        case stakeholderGroup = "stakeholder_group"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        if name == nil && stakeholderGroup == nil && region == nil {
            errors.append(.init("", "name at least one of name, stakeholder_group, region"))
        }
        if let name { Check.text(name, "name", max: 300, into: &errors) }
        Check.optionalText(region, "region", max: 300, into: &errors)
        return errors
    }
}
