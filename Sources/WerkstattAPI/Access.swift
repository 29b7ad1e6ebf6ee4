import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattStore

/// Who may do what in a workshop: the one place where roles and phases are checked.
struct Access: Sendable {
    let workshops: any WorkshopRepository

    /// What a request needs of the caller's role.
    enum Need {
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
    func workshop(_ id: UUID, for caller: Caller, need: Need = .read) async throws -> Workshop {
        if let member = caller.member, member.workshopId != id { throw APIError.notFound("workshop") }
        guard let workshop = try await workshops.get(id) else { throw APIError.notFound("workshop") }
        try Self.require(need, of: caller)
        return workshop
    }

    /// The workshop owning a resource (a thesis, a round …), if the caller may see it;
    /// otherwise 404 naming the resource, so foreign ids look like unknown ones.
    func workshop(owning id: UUID, what: String, for caller: Caller, need: Need = .read) async throws -> Workshop {
        do {
            return try await workshop(id, for: caller, need: need)
        } catch let error as APIError where error.status == .notFound {
            throw APIError.notFound(what)
        }
    }

    /// The workshop of the path's `workshop_id`, for a moderator (or admin) setting it up
    /// while it is not closed.
    func workshopToSetUp(_ context: AppRequestContext) async throws -> Workshop {
        let workshop = try await workshop(try context.id("workshop_id", of: "workshop"),
                                          for: try context.requireCaller(), need: .moderate)
        try Self.require(.setUp, in: workshop)
        return workshop
    }

    /// 403 when the caller's role does not allow the request.
    static func require(_ need: Need, of caller: Caller) throws {
        switch (need, caller) {
        case (.read, _), (.moderate, .admin), (.moderate, .commandLine):
            return
        case (.contribute, .admin), (.contribute, .commandLine):
            throw APIError.forbidden("this is done by a member of the workshop in their own name; admins are not members")
        case (.contribute, .member(let member)) where !member.role.mayContribute:
            throw APIError.forbidden("observers read but never write")
        case (.moderate, .member(let member)) where !member.role.mayModerate:
            throw APIError.forbidden("only a moderator of the workshop may do this")
        case (.contribute, .member), (.moderate, .member):
            return
        }
    }

    /// Who the caller is as a reader of results (Round.showsStanding): moderators of the
    /// workshop and admins see what moderators see; participants and observers what members see.
    static func audience(of caller: Caller) -> Audience {
        switch caller {
        case .admin, .commandLine: .moderators
        case .member(let member): member.role.mayModerate ? .moderators : .members
        }
    }

    /// 409 when the workshop's phase does not accept the activity.
    static func require(_ activity: Phase.Activity, in workshop: Workshop) throws {
        guard workshop.phase.allows(activity) else { throw APIError.phase(workshop.phase, forbids: activity) }
    }
}

extension AppRequestContext {
    /// A UUID path parameter; anything that is not a UUID names nothing, hence 404.
    func id(_ name: String, of what: String) throws -> UUID {
        guard let text = parameters.get(name), let id = UUID(uuidString: text) else {
            throw APIError.notFound(what)
        }
        return id
    }
}

extension Request {
    /// `?limit=&cursor=` as a page request, 422 when malformed.
    var pageRequest: PageRequest {
        get throws {
            try PageRequest(limit: uri.queryParameters.get("limit"), cursor: uri.queryParameters.get("cursor"))
        }
    }
}

extension Workshop: ResponseCodable {}
extension Organisation: ResponseCodable {}
extension Member: ResponseCodable {}
extension WorkingGroup: ResponseCodable {}
extension Event: ResponseCodable {}
extension Thesis: ResponseCodable {}
extension StanceRecord: ResponseCodable {}
extension Comment: ResponseCodable {}
extension Recommendation: ResponseCodable {}
extension Page: ResponseEncodable {}
