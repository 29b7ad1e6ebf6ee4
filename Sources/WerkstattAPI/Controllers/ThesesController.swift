import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattStore

/// Theses and the stances members take on them.
struct ThesesController {
    let theses: any ThesisRepository
    let access: Access

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops/:workshop_id/theses", use: create)
        group.get("workshops/:workshop_id/theses", use: list)
        group.get("theses/:thesis_id", use: get)
        group.put("theses/:thesis_id/stance", use: setStance)
        group.post("theses/:thesis_id/withdraw", use: withdraw)
    }

    /// The author or a moderator withdraws a thesis; it stays readable, marked withdrawn.
    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Thesis {
        let caller = try context.requireCaller()
        let (thesis, workshop) = try await visibleThesis(context)
        let isAuthor = caller.member?.id == thesis.authorId
        if !isAuthor { try Access.require(.moderate, of: caller) }
        try Access.require(.curate, in: workshop)
        let body = try await request.decodeJSON(as: WithdrawThesis.self, context: context)
        return try await theses.withdraw(thesis.id, reason: body.reason, by: caller)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Thesis> {
        let caller = try context.requireCaller()
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: caller, need: .contribute)
        let new = try await request.decodeJSON(as: NewThesis.self, context: context)
        try Access.require(.bringInThesis, in: workshop)
        let thesis = try await theses.create(new, in: workshop.id, author: caller.member!.id)
        return .init(status: .created, response: thesis)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Thesis> {
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: try context.requireCaller())
        var workingGroup: UUID?
        if let text = request.uri.queryParameters.get("working_group_id"), !text.isEmpty {
            guard let id = UUID(uuidString: text) else {
                throw APIError.invalid([FieldError("working_group_id", "must be a UUID")])
            }
            workingGroup = id
        }
        return try await theses.list(in: workshop.id, workingGroup: workingGroup, page: try request.pageRequest)
    }

    /// The thesis, if the caller may see its workshop.
    private func visibleThesis(_ context: AppRequestContext, need: Access.Need = .read) async throws -> (Thesis, Workshop) {
        let id = try context.id("thesis_id", of: "thesis")
        guard let thesis = try await theses.get(id) else { throw APIError.notFound("thesis") }
        let workshop = try await access.workshop(owning: thesis.workshopId, what: "thesis",
                                                 for: try context.requireCaller(), need: need)
        return (thesis, workshop)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Thesis {
        var (thesis, _) = try await visibleThesis(context)
        thesis.stances = try await theses.stances(of: thesis.id)
        return thesis
    }

    @Sendable func setStance(_ request: Request, context: AppRequestContext) async throws -> StanceRecord {
        let (thesis, workshop) = try await visibleThesis(context, need: .contribute)
        let change = try await request.decodeJSON(as: StanceChange.self, context: context)
        try Access.require(.takeStance, in: workshop)
        if thesis.withdrawn { throw APIError.conflict("the thesis was withdrawn") }
        return try await theses.setStance(change.stance, on: thesis.id, by: try context.requireCaller().member!.id)
    }
}
