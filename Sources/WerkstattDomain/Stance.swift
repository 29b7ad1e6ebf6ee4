import Foundation
import WerkstattOpinionMap
import WerkstattVoting

/// A member's position on a thesis: agree, disagree or pass, as the opinion map reads it.
public typealias StanceValue = WerkstattOpinionMap.Vote

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

/// How many members agree, disagree or pass, per stakeholder group as far as secrecy
/// allows (`Disclosure`), and what that means.
public struct StanceSummary: Codable, Sendable, Equatable {
    public struct Counts: Codable, Sendable, Equatable {
        public var agree = 0
        public var disagree = 0
        public var pass = 0
        public init(agree: Int = 0, disagree: Int = 0, pass: Int = 0) {
            self.agree = agree; self.disagree = disagree; self.pass = pass
        }

        /// Members with any stance.
        var total: Int { agree + disagree + pass }

        static func + (a: Counts, b: Counts) -> Counts {
            Counts(agree: a.agree + b.agree, disagree: a.disagree + b.disagree, pass: a.pass + b.pass)
        }
    }

    public var agree: Int
    public var disagree: Int
    public var pass: Int
    /// Groups with at least k stances, and `further_groups` for the pooled rest.
    public var byGroup: [String: Counts]
    /// Groups with stances whose counts are pooled or withheld.
    public var withheldGroups: [String]
    /// Null until someone agrees or disagrees (passes are not counted as ballots).
    public var consensus: Double?
    public var controversy: Double?

    enum CodingKeys: String, CodingKey {
        case agree, disagree, pass, consensus, controversy
        case byGroup = "by_group", withheldGroups = "withheld_groups"
    }

    /// Writes `null` for consensus and controversy while nobody agreed or disagreed.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agree, forKey: .agree)
        try container.encode(disagree, forKey: .disagree)
        try container.encode(pass, forKey: .pass)
        try container.encode(byGroup, forKey: .byGroup)
        try container.encode(withheldGroups, forKey: .withheldGroups)
        try container.encode(consensus, forKey: .consensus)
        try container.encode(controversy, forKey: .controversy)
    }

    /// A thesis nobody has taken a stance on: nothing to count, nothing to withhold.
    public static let empty = StanceSummary(byGroup: [:], minGroupSize: Workshop.defaultMinGroupSize)

    /// Aggregates stance counts per group, showing per group what the disclosure for k
    /// allows: supporters are those who agree, ballots those who agree or disagree.
    /// Consensus and controversy are taken over the disclosure's entries, in their fixed
    /// order, so they neither reveal a small group nor depend on dictionary order.
    public init(byGroup counts: [StakeholderGroup: Counts], minGroupSize k: Int) {
        let disclosure = Disclosure(counts: counts.mapValues(\.total), minGroupSize: k)
        func sum(_ groups: [StakeholderGroup]) -> Counts { groups.reduce(Counts()) { $0 + counts[$1, default: Counts()] } }
        let all = sum(StakeholderGroup.allCases)
        agree = all.agree
        disagree = all.disagree
        pass = all.pass
        var shown = Dictionary(uniqueKeysWithValues: disclosure.shown.map { ($0.rawValue, sum([$0])) })
        if !disclosure.pooled.isEmpty { shown[Disclosure.furtherGroupsKey] = sum(disclosure.pooled) }
        byGroup = shown
        withheldGroups = disclosure.undisclosed.map(\.rawValue)
        let groups = disclosure.entries.map(sum).map { (supporters: $0.agree, ballots: $0.agree + $0.disagree) }
        consensus = Agreement.stanceConsensus(groups)
        controversy = Agreement.stanceControversy(groups)
    }
}
