import Foundation
import WerkstattDomain
import WerkstattStore

/// Voting rounds: moderators create, open and close them.
extension UseCases {
    public func createRound(_ new: NewRound, in workshop: Workshop, by caller: Caller) async throws -> Round {
        try Access.require(.moderate, of: caller)
        try Access.require(.editRecommendations, in: workshop)
        return try await repositories.rounds.create(new, in: workshop.id, by: caller)
    }

    /// Opens a draft round: only while the workshop is voting.
    public func openRound(_ round: Round, in workshop: Workshop, by caller: Caller) async throws -> Round {
        try Access.require(.moderate, of: caller)
        try Access.require(.vote, in: workshop)
        return try await repositories.rounds.transition(round.id, from: .draft, to: .open, by: caller)
    }

    /// Closes an open round, in any phase: a round must be closable to leave voting.
    public func closeRound(_ round: Round, by caller: Caller) async throws -> Round {
        try Access.require(.moderate, of: caller)
        return try await repositories.rounds.transition(round.id, from: .open, to: .closed, by: caller)
    }
}
