import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// Threaded discussion on theses and recommendations, and its moderation.
struct CommentsController {
    let useCases: UseCases

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("theses/:thesis_id/comments", use: createOnThesis)
        group.get("theses/:thesis_id/comments", use: listOnThesis)
        group.post("recommendations/:recommendation_id/comments", use: createOnRecommendation)
        group.get("recommendations/:recommendation_id/comments", use: listOnRecommendation)
        group.post("comments/:comment_id/hide", use: hide)
    }

    /// The subject of a discussion and its workshop, if the caller may see them.
    private func subject(_ context: AppRequestContext, thesis: Bool, need: Access.Need) async throws -> Resolved<CommentSubject> {
        let repositories = useCases.repositories
        let name = thesis ? "thesis" : "recommendation"
        let found = try await context.resolve("\(name)_id", name, access: useCases.access, need: need, load: { id in
            thesis ? try await repositories.theses.get(id).map { (CommentSubject.thesis(id), $0.workshopId) }
                : try await repositories.recommendations.get(id).map { (CommentSubject.recommendation(id), $0.workshopId) }
        }, workshopOf: \.1)
        return found.map(\.0)
    }

    private func create(_ request: Request, _ context: AppRequestContext, thesis: Bool) async throws -> EditedResponse<Comment> {
        let subject = try await self.subject(context, thesis: thesis, need: .contribute)
        let new = try await request.decodeJSON(as: NewComment.self, context: context)
        let comment = try await useCases.comment(new, on: subject.resource, in: subject.workshop, by: try context.requireCaller())
        return .init(status: .created, response: comment)
    }

    private func list(_ request: Request, _ context: AppRequestContext, thesis: Bool) async throws -> Page<Comment> {
        let subject = try await self.subject(context, thesis: thesis, need: .read)
        return try await useCases.repositories.comments.list(on: subject.resource, page: try request.pageRequest)
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
        let found = try await context.resolve("comment_id", "comment", access: useCases.access, need: .moderate,
                                              load: useCases.repositories.comments.get, workshopOf: \.workshop)
        try Access.require(.curate, in: found.workshop)
        let hide = try await request.decodeJSON(as: HideComment.self, context: context)
        return try await useCases.hideComment(found.resource.comment.id, in: found.workshop, reason: hide.reason,
                                              by: try context.requireCaller())
    }
}
