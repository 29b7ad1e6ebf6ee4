import Foundation
import WerkstattVoting

// The vote is modelled once, in WerkstattVoting; the domain names its types.

/// The stakeholder groups, as the vote-counting module defines them.
public typealias StakeholderGroup = WerkstattVoting.StakeholderGroup

/// How members vote in a round: `dot`, `approval`, `score` or `ranking`.
public typealias VotingMethod = WerkstattVoting.Method.Kind

/// How the stakeholder groups' ballots are weighed: `"proportional"`, `"equal"` or
/// `{"custom": {"industry": 0.4, …}}`.
public typealias Balance = WerkstattVoting.Balance

extension Round {
    /// The round's method with its parameters, for validation and counting.
    public var votingMethod: Method {
        Method(method, pointsPerMember: pointsPerMember, maxPointsPerItem: maxPointsPerItem)
    }
}

extension NewRound {
    /// The new round's method with its parameters, defaults filled in.
    public var votingMethod: Method {
        Method(method, pointsPerMember: pointsPerMember, maxPointsPerItem: maxPointsPerItem)
    }
}

extension Agreement {
    /// Consensus of thesis stances; nil while no group agreed or disagreed.
    static func stanceConsensus(_ groups: [(supporters: Int, ballots: Int)]) -> Double? {
        groups.contains { $0.ballots > 0 } ? consensus(groups: groups) : nil
    }

    /// Controversy of thesis stances; nil while no group agreed or disagreed.
    static func stanceControversy(_ groups: [(supporters: Int, ballots: Int)]) -> Double? {
        groups.contains { $0.ballots > 0 } ? controversy(groups: groups) : nil
    }
}
