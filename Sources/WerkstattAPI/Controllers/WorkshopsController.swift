import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattStore

/// `/v1/workshops`: creating and reading workshops, and moving them through phases.
struct WorkshopsController {
    let workshops: any WorkshopRepository
    let access: Access

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops", use: create)
        group.get("workshops", use: list)
        group.get("workshops/:workshop_id", use: get)
        group.patch("workshops/:workshop_id", use: update)
        group.post("workshops/:workshop_id/phase", use: setPhase)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Workshop> {
        let caller = try context.requireCaller()
        guard case .admin = caller else { throw APIError.forbidden("only an admin may create workshops") }
        let new = try await request.decodeJSON(as: NewWorkshop.self, context: context)
        return .init(status: .created, response: try await workshops.create(new, by: caller))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Workshop> {
        try await workshops.list(visibleTo: try context.requireCaller(), page: try request.pageRequest)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Workshop {
        try await access.workshop(try context.id("workshop_id", of: "workshop"), for: try context.requireCaller())
    }

    /// Settings a running workshop may change (k, the public report), by an admin or moderator.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Workshop {
        let caller = try context.requireCaller()
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: caller, need: .moderate)
        let change = try await request.decodeJSON(as: WorkshopChange.self, context: context)
        try Access.require(.setUp, in: workshop)
        return try await workshops.update(workshop.id, with: change, by: caller)
    }

    @Sendable func setPhase(_ request: Request, context: AppRequestContext) async throws -> Workshop {
        let caller = try context.requireCaller()
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: caller, need: .moderate)
        let change = try await request.decodeJSON(as: PhaseChange.self, context: context)
        return try await workshops.setPhase(workshop.id, to: change.phase, by: caller)
    }
}
