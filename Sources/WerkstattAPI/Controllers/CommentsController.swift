import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattStore

/// Threaded discussion on theses and recommendations, and its moderation.
struct CommentsController {
    let comments: any CommentRepository
    let theses: any ThesisRepository
    let recommendations: any RecommendationRepository
    let access: Access

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("theses/:thesis_id/comments", use: createOnThesis)
        group.get("theses/:thesis_id/comments", use: listOnThesis)
        group.post("recommendations/:recommendation_id/comments", use: createOnRecommendation)
        group.get("recommendations/:recommendation_id/comments", use: listOnRecommendation)
        group.post("comments/:comment_id/hide", use: hide)
    }

    /// The subject of a discussion and its workshop, if the caller may see them.
    private func subject(_ context: AppRequestContext, thesis: Bool, need: Access.Need) async throws -> (CommentSubject, Workshop) {
        let name = thesis ? "thesis" : "recommendation"
        let id = try context.id("\(name)_id", of: name)
        let workshopId = thesis ? try await theses.get(id)?.workshopId : try await recommendations.get(id)?.workshopId
        guard let workshopId else { throw APIError.notFound(name) }
        let workshop = try await access.workshop(owning: workshopId, what: name, for: try context.requireCaller(), need: need)
        return (thesis ? .thesis(id) : .recommendation(id), workshop)
    }

    private func create(_ request: Request, _ context: AppRequestContext, thesis: Bool) async throws -> EditedResponse<Comment> {
        let (subject, workshop) = try await self.subject(context, thesis: thesis, need: .contribute)
        let new = try await request.decodeJSON(as: NewComment.self, context: context)
        try Access.require(.comment, in: workshop)
        let comment = try await comments.create(new, on: subject, in: workshop.id,
                                                author: try context.requireCaller().member!.id)
        return .init(status: .created, response: comment)
    }

    private func list(_ request: Request, _ context: AppRequestContext, thesis: Bool) async throws -> Page<Comment> {
        let (subject, _) = try await self.subject(context, thesis: thesis, need: .read)
        return try await comments.list(on: subject, page: try request.pageRequest)
    }

    @Sendable func createOnThesis(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Comment> {
        try await create(request, context, thesis: true)
    }

    @Sendable func listOnThesis(_ request: Request, context: AppRequestContext) async throws -> Page<Comment> {
        try await list(request, context, thesis: true)
    }

    @Sendable func createOnRecommendation(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Comment> {
        try await create(request, context, thesis: false)
    }

    @Sendable func listOnRecommendation(_ request: Request, context: AppRequestContext) async throws -> Page<Comment> {
        try await list(request, context, thesis: false)
    }

    @Sendable func hide(_ request: Request, context: AppRequestContext) async throws -> Comment {
        let caller = try context.requireCaller()
        let id = try context.id("comment_id", of: "comment")
        guard let found = try await comments.get(id) else { throw APIError.notFound("comment") }
        let workshop = try await access.workshop(owning: found.workshop, what: "comment", for: caller, need: .moderate)
        try Access.require(.curate, in: workshop)
        let hide = try await request.decodeJSON(as: HideComment.self, context: context)
        return try await comments.hide(id, reason: hide.reason, by: caller)
    }
}
