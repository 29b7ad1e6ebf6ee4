import Foundation

/// A person taking part in one workshop, optionally for an organisation.
public struct Member: Codable, Sendable, Equatable {
    public var id: UUID
    public var workshopId: UUID
    public var displayName: String
    public var role: Role
    public var organisationId: UUID?
    public var organisationName: String?
    /// The group the member speaks for: their own if set, else their organisation's, else `other`.
    public var stakeholderGroup: StakeholderGroup
    /// For mail merges and to find duplicates; unique in the workshop, any letter case.
    public var email: String?
    public var createdAt: Date
    /// When the member's token stops working; nil for never.
    public var expiresAt: Date?
    /// When the member's token was revoked; nil while it works.
    public var revokedAt: Date?
    /// Shown once, in the answer that creates the member or rotates its token.
    public var token: String?

    public init(id: UUID, workshopId: UUID, displayName: String, role: Role, organisationId: UUID?,
                organisationName: String? = nil, stakeholderGroup: StakeholderGroup, email: String? = nil, createdAt: Date,
                expiresAt: Date? = nil, revokedAt: Date? = nil, token: String? = nil) {
        self.id = id; self.workshopId = workshopId; self.displayName = displayName; self.role = role
        self.organisationId = organisationId; self.organisationName = organisationName; self.stakeholderGroup = stakeholderGroup; self.email = email
        self.createdAt = createdAt; self.expiresAt = expiresAt; self.revokedAt = revokedAt; self.token = token
    }

    enum CodingKeys: String, CodingKey {
        case id, role, token, email
        case workshopId = "workshop_id", displayName = "display_name"
        case organisationId = "organisation_id", organisationName = "organisation_name"
        case stakeholderGroup = "stakeholder_group"
        case createdAt = "created_at", expiresAt = "expires_at", revokedAt = "revoked_at"
    }
}

/// Limits that every way of adding a member checks alike.
enum MemberRules {
    /// A plausible address: one @, something on both sides, no spaces; at most 320 characters.
    static func checkEmail(_ email: String?, _ field: String, into errors: inout [FieldError]) {
        guard let email else { return }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        if email.count > 320 || parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".")
            || email.contains(where: \.isWhitespace) || email.unicodeScalars.contains("\u{0}") {
            errors.append(.init(field, "must be an e-mail address such as name@example.org"))
        }
    }
}

/// The body of `POST /v1/workshops/{workshop_id}/members`.
public struct NewMember: Codable, Sendable {
    public var displayName: String
    public var role: Role
    public var organisationId: UUID?
    public var stakeholderGroup: StakeholderGroup?
    public var email: String?
    /// When the token stops working; nil for never.
    public var expiresAt: Date?

    public init(displayName: String, role: Role, organisationId: UUID? = nil, stakeholderGroup: StakeholderGroup? = nil,
                email: String? = nil, expiresAt: Date? = nil) {
        self.displayName = displayName; self.role = role; self.organisationId = organisationId
        self.stakeholderGroup = stakeholderGroup; self.email = email; self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case role, email
        case displayName = "display_name", organisationId = "organisation_id"
        case stakeholderGroup = "stakeholder_group", expiresAt = "expires_at"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(displayName, "display_name", max: 200, into: &errors)
        MemberRules.checkEmail(email, "email", into: &errors)
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

/// Which members a moderator lists: `?stakeholder_group=&organisation_id=&role=`.
public struct MemberFilter: Sendable, Equatable {
    public var stakeholderGroup: StakeholderGroup?
    public var organisationId: UUID?
    public var role: Role?

    public init(stakeholderGroup: StakeholderGroup? = nil, organisationId: UUID? = nil, role: Role? = nil) {
        self.stakeholderGroup = stakeholderGroup; self.organisationId = organisationId; self.role = role
    }
}
