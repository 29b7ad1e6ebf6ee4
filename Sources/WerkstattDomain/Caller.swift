import Foundation

/// Who is making a request, as established from their bearer token.
public enum Caller: Sendable, Equatable {
    /// An installation administrator (token from `werkstatt token create --admin`).
    case admin(id: UUID)
    /// A member of exactly one workshop.
    case member(MemberIdentity)
    /// The operator at the command line (`werkstatt import`, `werkstatt demo`).
    case commandLine

    /// The admin token's id, if the caller is an admin.
    public var adminId: UUID? {
        if case .admin(let id) = self { return id }
        return nil
    }

    /// The member behind the call, if it is one.
    public var member: MemberIdentity? {
        if case .member(let identity) = self { return identity }
        return nil
    }
}

/// The facts about a member that authorisation and aggregation need.
public struct MemberIdentity: Sendable, Equatable {
    public var id: UUID
    public var workshopId: UUID
    public var role: Role
    public var group: StakeholderGroup
    /// The member's workshop is closed: the token reads, and writes nothing.
    public var readOnly: Bool

    public init(id: UUID, workshopId: UUID, role: Role, group: StakeholderGroup, readOnly: Bool = false) {
        self.id = id; self.workshopId = workshopId; self.role = role; self.group = group; self.readOnly = readOnly
    }
}

/// What a bearer token turned out to be.
public enum TokenLookup: Sendable, Equatable {
    /// A live token, with the time left until its `expires_at` as the database saw it
    /// (nil: it does not expire), which bounds how long the caller may be kept.
    case caller(Caller, expiresIn: Duration?)
    /// A token that worked until its `expires_at`.
    case expired
}

/// A token issued once, with what identifies it afterwards (its id, never its text).
public struct IssuedToken: Codable, Sendable, Equatable {
    /// The admin token's id, or the member's.
    public var id: UUID
    public var token: String
    public var expiresAt: Date?

    public init(id: UUID, token: String, expiresAt: Date?) {
        self.id = id; self.token = token; self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case id, token
        case expiresAt = "expires_at"
    }
}

/// The body of `POST /v1/members/{member_id}/token:rotate`: when the new token expires.
public struct TokenRotation: Codable, Sendable {
    public var expiresAt: Date?

    public init(expiresAt: Date? = nil) { self.expiresAt = expiresAt }

    enum CodingKeys: String, CodingKey {
        case expiresAt = "expires_at"
    }
}

/// An admin token as `werkstatt token list` shows it: never its text.
public struct AdminTokenInfo: Sendable, Equatable {
    public var id: UUID
    public var label: String?
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(id: UUID, label: String?, createdAt: Date, expiresAt: Date?, revokedAt: Date?) {
        self.id = id; self.label = label; self.createdAt = createdAt; self.expiresAt = expiresAt; self.revokedAt = revokedAt
    }
}
