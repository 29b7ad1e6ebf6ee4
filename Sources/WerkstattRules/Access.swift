import Foundation
import WerkstattDomain
import WerkstattStore

/// Who may do what in a workshop: the one place where roles and phases are checked, for
/// the API, the command line and the demo alike.
public struct Access: Sendable {
    public let workshops: any WorkshopRepository

    public init(workshops: any WorkshopRepository) {
        self.workshops = workshops
    }

    /// What a request needs of the caller's role.
    public enum Need: Sendable {
        /// Any member of the workshop, or an admin.
        case read
        /// A participant or moderator of the workshop (not an observer, not an admin):
        /// the write is in the member's own name.
        case contribute
        /// A moderator of the workshop, or an admin.
        case moderate
    }

    /// The workshop, if the caller may see it at all. Ids of another workshop are 404, not
    /// 403, so their existence is not revealed.
    public func workshop(_ id: UUID, for caller: Caller, need: Need = .read) async throws -> Workshop {
        if let member = caller.member, member.workshopId != id { throw RuleError.notFound("workshop") }
        guard let workshop = try await workshops.get(id) else { throw RuleError.notFound("workshop") }
        try Self.require(need, of: caller)
        return workshop
    }

    /// A resource of a workshop, loaded once by its id: 404 naming the resource when it
    /// does not exist or belongs to a workshop the caller may not see (so foreign ids look
    /// like unknown ones), 403 when the caller's role falls short of `need`.
    public func resolve<Resource: Sendable>(
        _ what: String, id: UUID, for caller: Caller, need: Need = .read,
        load: (UUID) async throws -> Resource?, workshopOf: (Resource) -> UUID
    ) async throws -> Resolved<Resource> {
        guard let resource = try await load(id) else { throw RuleError.notFound(what) }
        let workshop: Workshop
        do {
            workshop = try await self.workshop(workshopOf(resource), for: caller, need: need)
        } catch RuleError.notFound {
            throw RuleError.notFound(what)
        }
        return Resolved(resource: resource, workshop: workshop)
    }

    /// 403 when the caller's role does not allow the request.
    public static func require(_ need: Need, of caller: Caller) throws(RuleError) {
        switch need {
        case .read: return
        case .contribute: _ = try contributor(caller)
        case .moderate:
            if case .member(let member) = caller, !member.role.mayModerate {
                throw .forbidden("only a moderator of the workshop may do this")
            }
        }
    }

    /// The member a contribution is written in the name of: a participant or moderator;
    /// 403 for observers, and for admins and the command line, who are no members.
    public static func contributor(_ caller: Caller) throws(RuleError) -> MemberIdentity {
        guard case .member(let member) = caller else {
            throw .forbidden("this is done by a member of the workshop in their own name; admins are not members")
        }
        guard member.role.mayContribute else { throw .forbidden("observers read but never write") }
        return member
    }

    /// 403 unless the caller wrote it (`author`) or moderates the workshop.
    public static func requireAuthorOrModerator(_ author: UUID, of caller: Caller) throws(RuleError) {
        if caller.member?.id != author { try require(.moderate, of: caller) }
    }

    /// Who the caller is as a reader of results (Round.showsStanding): moderators of the
    /// workshop and admins see what moderators see; participants and observers what members see.
    public static func audience(of caller: Caller) -> Audience {
        switch caller {
        case .admin, .commandLine: .moderators
        case .member(let member): member.role.mayModerate ? .moderators : .members
        }
    }

    /// 409 when the workshop's phase does not accept the activity.
    public static func require(_ activity: Phase.Activity, in workshop: Workshop) throws(RuleError) {
        guard workshop.phase.allows(activity) else { throw .phase(workshop.phase, forbids: activity) }
    }
}

/// A resource with the workshop it belongs to, after `Access.resolve` let the caller at it.
public struct Resolved<Resource: Sendable>: Sendable {
    public var resource: Resource
    public var workshop: Workshop

    /// The same workshop with a part of the resource.
    public func map<Part: Sendable>(_ part: (Resource) -> Part) -> Resolved<Part> {
        Resolved<Part>(resource: part(resource), workshop: workshop)
    }
}
