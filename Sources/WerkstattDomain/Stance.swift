import Foundation
import WerkstattVoting

/// A member's position on a thesis.
public enum StanceValue: String, Codable, CaseIterable, Sendable {
    case agree, disagree, pass
}

/// The body of `PUT /v1/theses/{thesis_id}/stance`.
public struct StanceChange: Codable, Sendable {
    public var stance: StanceValue
}

/// The answer to `PUT /v1/theses/{thesis_id}/stance`.
public struct StanceRecord: Codable, Sendable {
    public var thesisId: UUID
    public var stance: StanceValue
    public var updatedAt: Date

    public init(thesisId: UUID, stance: StanceValue, updatedAt: Date) {
        self.thesisId = thesisId; self.stance = stance; self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case stance
        case thesisId = "thesis_id", updatedAt = "updated_at"
    }
}

/// How many members agree, disagree or pass, per stakeholder group, and what that means.
public struct StanceSummary: Codable, Sendable, Equatable {
    public struct Counts: Codable, Sendable, Equatable {
        public var agree = 0
        public var disagree = 0
        public var pass = 0
        public init(agree: Int = 0, disagree: Int = 0, pass: Int = 0) {
            self.agree = agree; self.disagree = disagree; self.pass = pass
        }
    }

    public var agree: Int
    public var disagree: Int
    public var pass: Int
    public var byGroup: [String: Counts]
    /// Null until someone agrees or disagrees (passes are not counted as ballots).
    public var consensus: Double?
    public var controversy: Double?

    enum CodingKeys: String, CodingKey {
        case agree, disagree, pass, consensus, controversy
        case byGroup = "by_group"
    }

    /// Writes `null` for consensus and controversy while nobody agreed or disagreed.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agree, forKey: .agree)
        try container.encode(disagree, forKey: .disagree)
        try container.encode(pass, forKey: .pass)
        try container.encode(byGroup, forKey: .byGroup)
        try container.encode(consensus, forKey: .consensus)
        try container.encode(controversy, forKey: .controversy)
    }

    /// Aggregates stance counts per group: supporters are those who agree, ballots those
    /// who agree or disagree.
    public init(byGroup counts: [StakeholderGroup: Counts]) {
        agree = counts.values.reduce(0) { $0 + $1.agree }
        disagree = counts.values.reduce(0) { $0 + $1.disagree }
        pass = counts.values.reduce(0) { $0 + $1.pass }
        byGroup = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
        let groups = counts.values.map { (supporters: $0.agree, ballots: $0.agree + $0.disagree) }
        consensus = Agreement.stanceConsensus(groups)
        controversy = Agreement.stanceControversy(groups)
    }
}
