import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

extension AppRequestContext {
    /// A UUID path parameter; anything that is not a UUID names nothing, hence 404.
    func id(_ name: String, of what: String) throws -> UUID {
        guard let text = parameters.get(name), let id = UUID(uuidString: text) else {
            throw APIError.notFound(what)
        }
        return id
    }

    /// The workshop of the path's `workshop_id`, if the caller may see it and their role
    /// allows `need` (Access: 404 for another workshop's id, 403 for the wrong role).
    func workshop(_ access: Access, need: Access.Need = .read) async throws -> Workshop {
        try await access.workshop(try id("workshop_id", of: "workshop"), for: try requireCaller(), need: need)
    }

    /// The workshop of the path's `workshop_id`, for a moderator (or admin) setting it up
    /// while it is not closed: checked before the body is read, as the contract says.
    func workshopToSetUp(_ access: Access) async throws -> Workshop {
        let workshop = try await workshop(access, need: .moderate)
        try Access.require(.setUp, in: workshop)
        return workshop
    }

    /// The resource of a path parameter, with its workshop, if the caller may see it and
    /// their role allows `need`: loaded once, 404 naming it otherwise (Access.resolve).
    func resolve<Resource: Sendable>(
        _ parameter: String, _ what: String, access: Access, need: Access.Need = .read,
        load: (UUID) async throws -> Resource?, workshopOf: (Resource) -> UUID
    ) async throws -> Resolved<Resource> {
        try await access.resolve(what, id: try id(parameter, of: what), for: try requireCaller(), need: need,
                                 load: load, workshopOf: workshopOf)
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
