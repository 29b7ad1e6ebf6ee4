import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// Recommendations: proposals with a code, lead and timeframe, derived from theses.
struct RecommendationsController {
    let useCases: UseCases
    var recommendations: any RecommendationRepository { useCases.repositories.recommendations }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops/:workshop_id/recommendations", use: create)
        group.get("workshops/:workshop_id/recommendations", use: list)
        group.get("recommendations/:recommendation_id", use: get)
        group.post("workshops/:workshop_id/recommendations:import", use: importCSV)
    }

    /// Creates or updates recommendations from a CSV file, all rows or none.
    @Sendable func importCSV(_ request: Request, context: AppRequestContext) async throws -> ImportSummary {
        let workshop = try await context.workshop(useCases.access, need: .moderate)
        let text = try await request.text(ofType: ["text/csv", "application/csv"], context: context)
        try Access.require(.editRecommendations, in: workshop)
        switch RecommendationImport.parse(text) {
        case .failure(let failure): throw APIError.invalid(failure.errors)
        case .success(let rows): return try await useCases.importRecommendations(rows, into: workshop, by: try context.requireCaller())
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Recommendation> {
        let workshop = try await context.workshop(useCases.access, need: .moderate)
        let new = try await request.decodeJSON(as: NewRecommendation.self, context: context)
        return .init(status: .created, response: try await useCases.createRecommendation(new, in: workshop, by: try context.requireCaller()))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Recommendation> {
        let workshop = try await context.workshop(useCases.access)
        return try await recommendations.list(in: workshop.id, page: try request.pageRequest)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Recommendation {
        try await context.resolve("recommendation_id", "recommendation", access: useCases.access,
                                  load: recommendations.get, workshopOf: \.workshopId).resource
    }
}

extension ImportSummary: ResponseCodable {}
