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

/// Ballots: a participant or moderator of the round's workshop casts, replaces or withdraws
/// their own. What a round is about comes with `round` (the API keeps it in memory); that it
/// is open and its workshop voting is checked by the statement that writes.
extension UseCases {
    /// Admits the ballot (`Round.admit`) and writes it; the receipt comes after COMMIT.
    public func cast(_ body: BallotBody, in round: Round, by caller: Caller) async throws -> BallotReceipt {
        let member = try voter(caller, in: round)
        let ballot: AdmittedBallot
        do throws(BallotRejected) {
            ballot = try round.admit(body)
        } catch {
            throw RuleError.invalid(error.violations)
        }
        guard let receipt = try await repositories.rounds.cast(ballot, by: member.id) else {
            throw try await notTakingBallots(round.id)
        }
        return receipt
    }

    /// Withdraws the caller's ballot; 404 when there is none.
    public func withdrawBallot(in round: Round, by caller: Caller) async throws {
        let member = try voter(caller, in: round)
        switch try await repositories.rounds.withdraw(in: round.id, by: member.id) {
        case nil: throw try await notTakingBallots(round.id)
        case false?: throw RuleError.notFound("ballot of yours in this round")
        case true?: return
        }
    }

    /// The member who votes: 404 for another workshop's member (the round's existence is
    /// not revealed), 403 for admins and observers.
    public func voter(_ caller: Caller, in round: Round) throws(RuleError) -> MemberIdentity {
        if let member = caller.member, member.workshopId != round.workshopId { throw .notFound("round") }
        return try Access.contributor(caller)
    }

    /// Why a round takes no ballot right now (casting and withdrawing alike).
    private func notTakingBallots(_ id: UUID) async throws -> RuleError {
        guard let round = try await repositories.rounds.get(id),
              let workshop = try await repositories.workshops.get(round.workshopId) else {
            return .notFound("round")
        }
        if !workshop.phase.allows(.vote) { return .phase(workshop.phase, forbids: .vote) }
        return .conflict("the round is \(round.state.rawValue), not open for ballots")
    }
}
