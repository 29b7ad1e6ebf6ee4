import Foundation

/// A person taking part in one workshop, optionally for an organisation.
public struct Member: Codable, Sendable, Equatable {
    public var id: UUID
    public var workshopId: UUID
    public var displayName: String
    public var role: Role
    public var organisationId: UUID?
    /// The group the member speaks for: their own if set, else their organisation's, else `other`.
    public var stakeholderGroup: StakeholderGroup
    public var createdAt: Date
    /// Shown once, in the answer that creates the member.
    public var token: String?

    public init(id: UUID, workshopId: UUID, displayName: String, role: Role, organisationId: UUID?,
                stakeholderGroup: StakeholderGroup, createdAt: Date, token: String? = nil) {
        self.id = id; self.workshopId = workshopId; self.displayName = displayName; self.role = role
        self.organisationId = organisationId; self.stakeholderGroup = stakeholderGroup
        self.createdAt = createdAt; self.token = token
    }

    enum CodingKeys: String, CodingKey {
        case id, role, token
        case workshopId = "workshop_id", displayName = "display_name"
        case organisationId = "organisation_id", stakeholderGroup = "stakeholder_group"
        case createdAt = "created_at"
    }
}

/// The body of `POST /v1/workshops/{workshop_id}/members`.
public struct NewMember: Codable, Sendable {
    public var displayName: String
    public var role: Role
    public var organisationId: UUID?
    public var stakeholderGroup: StakeholderGroup?

    public init(displayName: String, role: Role, organisationId: UUID? = nil, stakeholderGroup: StakeholderGroup? = nil) {
        self.displayName = displayName; self.role = role; self.organisationId = organisationId; self.stakeholderGroup = stakeholderGroup
    }

    enum CodingKeys: String, CodingKey {
        case role
        case displayName = "display_name", organisationId = "organisation_id"
        case stakeholderGroup = "stakeholder_group"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(displayName, "display_name", max: 200, into: &errors)
        return errors
    }
}

/// The body of `PATCH /v1/members/{member_id}` (moderator): fields left out stay as they
/// are. The stakeholder group (directly, or through the organisation) cannot change while
/// a round of the workshop is open.
public struct MemberChange: Codable, Sendable {
    public var displayName: String?
    public var organisationId: UUID?
    public var stakeholderGroup: StakeholderGroup?

    public init(displayName: String? = nil, organisationId: UUID? = nil, stakeholderGroup: StakeholderGroup? = nil) {
        self.displayName = displayName; self.organisationId = organisationId; self.stakeholderGroup = stakeholderGroup
    }

    enum CodingKeys: String, CodingKey {
        case displayName = "display_name", organisationId = "organisation_id"
        case stakeholderGroup = "stakeholder_group"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        if displayName == nil && organisationId == nil && stakeholderGroup == nil {
            errors.append(.init("", "name at least one of display_name, organisation_id, stakeholder_group"))
        }
        if let displayName { Check.text(displayName, "display_name", max: 200, into: &errors) }
        return errors
    }
}
