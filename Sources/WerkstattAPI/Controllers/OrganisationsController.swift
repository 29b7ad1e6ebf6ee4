import Hummingbird
import WerkstattDomain
import WerkstattStore

/// `/v1/organisations`: the actors members speak for, shared across workshops.
struct OrganisationsController {
    let organisations: any OrganisationRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("organisations", use: create)
        group.get("organisations", use: list)
        group.patch("organisations/:organisation_id", use: update)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Organisation {
        let caller = try context.requireCaller()
        guard case .admin = caller else { throw APIError.forbidden("only an admin may change organisations") }
        let id = try context.id("organisation_id", of: "organisation")
        let change = try await request.decodeJSON(as: OrganisationChange.self, context: context)
        return try await organisations.update(id, with: change, by: caller)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Organisation> {
        let caller = try context.requireCaller()
        guard case .admin = caller else { throw APIError.forbidden("only an admin may create organisations") }
        let new = try await request.decodeJSON(as: NewOrganisation.self, context: context)
        return .init(status: .created, response: try await organisations.create(new, by: caller))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Organisation> {
        _ = try context.requireCaller()
        return try await organisations.list(page: try request.pageRequest)
    }
}
