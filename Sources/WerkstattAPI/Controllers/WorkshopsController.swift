import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// `/v1/workshops`: creating and reading workshops, and moving them through phases.
struct WorkshopsController {
    let useCases: UseCases
    var workshops: any WorkshopRepository { useCases.repositories.workshops }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops", use: create)
        group.get("workshops", use: list)
        group.get("workshops/:workshop_id", use: get)
        group.patch("workshops/:workshop_id", use: update)
        group.post("workshops/:workshop_id/phase", use: setPhase)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Workshop> {
        let caller = try context.requireCaller()
        // Who may, before the body is read (the use case checks it again).
        if case .member = caller { throw RuleError.forbidden("only an admin may create workshops") }
        let new = try await request.decodeJSON(as: NewWorkshop.self, context: context)
        return .init(status: .created, response: try await useCases.createWorkshop(new, by: caller))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Workshop> {
        try await workshops.list(visibleTo: try context.requireCaller(), page: try request.pageRequest)
    }

    /// Written directly (`Workshop.json()`): the same text as the encoder's.
    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> WrittenJSON {
        WrittenJSON(json: try await context.workshop(useCases.access).json())
    }

    /// Settings a running workshop may change (k, the public report), by an admin or moderator.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Workshop {
        let workshop = try await context.workshop(useCases.access, need: .moderate)
        let change = try await request.decodeJSON(as: WorkshopChange.self, context: context)
        return try await useCases.updateWorkshop(workshop, with: change, by: try context.requireCaller())
    }

    @Sendable func setPhase(_ request: Request, context: AppRequestContext) async throws -> Workshop {
        let workshop = try await context.workshop(useCases.access, need: .moderate)
        let change = try await request.decodeJSON(as: PhaseChange.self, context: context)
        return try await useCases.movePhase(of: workshop, to: change.phase, by: try context.requireCaller())
    }
}
