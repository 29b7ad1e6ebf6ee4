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

    public init(id: UUID, workshopId: UUID, role: Role, group: StakeholderGroup) {
        self.id = id; self.workshopId = workshopId; self.role = role; self.group = group
    }
}
