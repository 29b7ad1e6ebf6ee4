import Foundation
import WerkstattDomain
import WerkstattStore

/// Recommendations: moderators add them one by one or import them from CSV.
extension UseCases {
    public func createRecommendation(_ new: NewRecommendation, in workshop: Workshop,
                                     by caller: Caller) async throws -> Recommendation {
        try Access.require(.moderate, of: caller)
        try Access.require(.editRecommendations, in: workshop)
        return try await repositories.recommendations.create(new, in: workshop.id, by: caller)
    }

    /// Creates or updates recommendations from parsed CSV rows, all or none.
    public func importRecommendations(_ rows: [ImportedRecommendation], into workshop: Workshop,
                                      by caller: Caller) async throws -> ImportSummary {
        try Access.require(.moderate, of: caller)
        try Access.require(.editRecommendations, in: workshop)
        return try await repositories.recommendations.importRows(rows, into: workshop.id, by: caller)
    }
}
