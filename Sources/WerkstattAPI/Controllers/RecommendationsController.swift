import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattStore

/// Recommendations: proposals with a code, lead and timeframe, derived from theses.
struct RecommendationsController {
    let recommendations: any RecommendationRepository
    let access: Access

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops/:workshop_id/recommendations", use: create)
        group.get("workshops/:workshop_id/recommendations", use: list)
        group.get("recommendations/:recommendation_id", use: get)
        group.post("workshops/:workshop_id/recommendations:import", use: importCSV)
    }

    /// Creates or updates recommendations from a CSV file, all rows or none.
    @Sendable func importCSV(_ request: Request, context: AppRequestContext) async throws -> ImportSummary {
        let caller = try context.requireCaller()
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: caller, need: .moderate)
        let text = try await request.text(ofType: ["text/csv", "application/csv"], context: context)
        try Access.require(.editRecommendations, in: workshop)
        switch RecommendationImport.parse(text) {
        case .failure(let failure): throw APIError.invalid(failure.errors)
        case .success(let rows): return try await recommendations.importRows(rows, into: workshop.id, by: caller)
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Recommendation> {
        let caller = try context.requireCaller()
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: caller, need: .moderate)
        let new = try await request.decodeJSON(as: NewRecommendation.self, context: context)
        try Access.require(.editRecommendations, in: workshop)
        return .init(status: .created, response: try await recommendations.create(new, in: workshop.id, by: caller))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Recommendation> {
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: try context.requireCaller())
        return try await recommendations.list(in: workshop.id, page: try request.pageRequest)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Recommendation {
        let id = try context.id("recommendation_id", of: "recommendation")
        guard let recommendation = try await recommendations.get(id) else { throw APIError.notFound("recommendation") }
        _ = try await access.workshop(owning: recommendation.workshopId, what: "recommendation",
                                      for: try context.requireCaller())
        return recommendation
    }
}

extension ImportSummary: ResponseCodable {}
