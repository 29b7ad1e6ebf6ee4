import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// Theses and the stances members take on them.
struct ThesesController {
    let useCases: UseCases
    var theses: any ThesisRepository { useCases.repositories.theses }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops/:workshop_id/theses", use: create)
        group.get("workshops/:workshop_id/theses", use: list)
        group.get("theses/:thesis_id", use: get)
        group.put("theses/:thesis_id/stance", use: setStance)
        group.post("theses/:thesis_id/withdraw", use: withdraw)
    }

    /// The author or a moderator withdraws a thesis; it stays readable, marked withdrawn.
    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Thesis {
        let thesis = try await visibleThesis(context)
        // Who and when are checked before the body is read, as the contract says.
        try Access.requireAuthorOrModerator(thesis.resource.authorId, of: try context.requireCaller())
        try Access.require(.curate, in: thesis.workshop)
        let body = try await request.decodeJSON(as: WithdrawThesis.self, context: context)
        return try await useCases.withdrawThesis(thesis.resource, in: thesis.workshop, reason: body.reason,
                                                 by: try context.requireCaller())
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Thesis> {
        let workshop = try await context.workshop(useCases.access, need: .contribute)
        let new = try await request.decodeJSON(as: NewThesis.self, context: context)
        return .init(status: .created, response: try await useCases.bringInThesis(new, in: workshop, by: try context.requireCaller()))
    }

    /// Written directly (`Page.json()`): the same text as the encoder's, at a fraction of the CPU.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> WrittenJSON {
        let workshop = try await context.workshop(useCases.access)
        var workingGroup: UUID?
        if let text = request.uri.queryParameters.get("working_group_id"), !text.isEmpty {
            guard let id = UUID(uuidString: text) else {
                throw APIError.invalid([FieldError("working_group_id", "must be a UUID")])
            }
            workingGroup = id
        }
        return WrittenJSON(json: try await theses.list(in: workshop.id, workingGroup: workingGroup,
                                                       page: try request.pageRequest).json())
    }

    /// The thesis, if the caller may see its workshop.
    private func visibleThesis(_ context: AppRequestContext, need: Access.Need = .read) async throws -> Resolved<Thesis> {
        try await context.resolve("thesis_id", "thesis", access: useCases.access, need: need,
                                  load: theses.get, workshopOf: \.workshopId)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> WrittenJSON {
        var thesis = try await visibleThesis(context).resource
        thesis.stances = try await theses.stances(of: thesis.id)
        return WrittenJSON(json: thesis.json())
    }

    @Sendable func setStance(_ request: Request, context: AppRequestContext) async throws -> StanceRecord {
        let thesis = try await visibleThesis(context, need: .contribute)
        let change = try await request.decodeJSON(as: StanceChange.self, context: context)
        return try await useCases.takeStance(change.stance, on: thesis.resource, in: thesis.workshop,
                                             by: try context.requireCaller())
    }
}
