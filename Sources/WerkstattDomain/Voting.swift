import Foundation
import WerkstattVoting

/// The stakeholder groups, as the vote-counting module defines them.
public typealias StakeholderGroup = WerkstattVoting.StakeholderGroup

extension VotingMethod {
    /// The method with its parameters, for validation and counting.
    public func counting(pointsPerMember: Int?, maxPointsPerItem: Int?) -> Method {
        switch self {
        case .dot:
            let points = pointsPerMember ?? NewRound.defaultPoints
            return .dot(pointsPerMember: points, maxPointsPerItem: maxPointsPerItem ?? points)
        case .approval: return .approval
        case .score: return .score
        case .ranking: return .ranking
        }
    }
}

extension RoundBalance {
    /// The balance, for counting.
    public var counting: Balance {
        switch self {
        case .proportional: .proportional
        case .equal: .equal
        case .custom(let shares): .custom(shares)
        }
    }
}

extension Round {
    /// The round's method with its parameters, for validation and counting.
    public var votingMethod: Method {
        method.counting(pointsPerMember: pointsPerMember, maxPointsPerItem: maxPointsPerItem)
    }
}

extension BallotBody {
    /// The ballot in the keyed form the rules check, for the round's method.
    public func raw(for method: VotingMethod) -> RawBallot {
        switch method {
        case .dot: .points(points ?? [:])
        case .approval: .approve(approve ?? [])
        case .score: .grades(grades ?? [:])
        case .ranking: .ranking(ranking ?? [])
        }
    }

    /// The same ballot with every recommendation id written as this server writes UUIDs,
    /// so that lower-case ids from clients match; ids that differ only in letter case name
    /// the same recommendation twice and are reported, never added up. (Lists with such
    /// repeats are left to `BallotRules`, which reports any repeated id.)
    public func normalisingIds() -> (ballot: BallotBody, violations: [FieldError]) {
        func id(_ text: String) -> String { UUID(uuidString: text)?.text ?? text }
        var violations: [FieldError] = []
        func keyed(_ map: [String: Int]?, field: String) -> [String: Int]? {
            guard let map else { return nil }
            var result: [String: Int] = [:]
            for key in map.keys.sorted() {
                let normal = id(key)
                if result[normal] != nil {
                    violations.append(FieldError("\(field).\(key)", "names the same recommendation as another key (ids are compared regardless of letter case); name each recommendation once"))
                } else {
                    result[normal] = map[key]
                }
            }
            return result
        }
        let ballot = BallotBody(points: keyed(points, field: "points"), approve: approve?.map(id),
                                grades: keyed(grades, field: "grades"), ranking: ranking?.map(id))
        return (ballot, violations)
    }
}

extension Ballot.Content {
    /// The compact form stored beside each ballot for the worker: `[item, value, …]` for
    /// dot and score, `[item, …]` for approval and ranking (items are round positions).
    public var entries: [Int32] {
        switch self {
        case .dot(let marks), .score(let marks): marks.flatMap { [Int32($0.item), Int32($0.value)] }
        case .approval(let items), .ranking(let items): items.map(Int32.init)
        }
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
