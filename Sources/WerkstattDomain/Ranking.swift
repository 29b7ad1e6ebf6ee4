import Foundation
import WerkstattVoting

/// The latest result the worker computed for a round (`GET /v1/rounds/{round_id}/ranking`).
public struct Ranking: Codable, Sendable, Equatable {
    public var roundId: UUID
    public var method: VotingMethod
    public var balance: Balance
    /// Nil before the first snapshot.
    public var computedAt: Date?
    public var ballotsCounted: Int
    /// SHA-256 of the canonical input; nil before the first snapshot.
    public var digest: String?
    /// True while the round is open: later ballots may change it.
    public var provisional: Bool
    /// k the snapshot was computed with; nil before the first snapshot.
    public var minGroupSize: Int?
    /// Groups that voted but whose figures are pooled into `further_groups` or withheld.
    public var withheldGroups: [String]
    /// Counted ballots of members added after the round opened.
    public var lateMembers: Int
    /// Why `items` is empty although snapshots may exist: `until_close` for a reader who
    /// may not see an open round's standing.
    public var withheld: String?
    public var items: [RankingItem]

    public init(roundId: UUID, method: VotingMethod, balance: Balance, computedAt: Date?,
                ballotsCounted: Int, digest: String?, provisional: Bool, minGroupSize: Int? = nil,
                withheldGroups: [String] = [], lateMembers: Int = 0, withheld: String? = nil, items: [RankingItem]) {
        self.roundId = roundId; self.method = method; self.balance = balance; self.computedAt = computedAt
        self.ballotsCounted = ballotsCounted; self.digest = digest; self.provisional = provisional
        self.minGroupSize = minGroupSize; self.withheldGroups = withheldGroups; self.lateMembers = lateMembers
        self.withheld = withheld; self.items = items
    }

    /// What a reader who may not see the round's standing gets: no figures at all.
    public static func withheldUntilClose(_ round: Round) -> Ranking {
        Ranking(roundId: round.id, method: round.method, balance: round.balance, computedAt: nil,
                ballotsCounted: 0, digest: nil, provisional: true, withheld: "until_close", items: [])
    }

    /// What a reader gets before the worker has computed a snapshot they may see.
    public static func notYetComputed(_ round: Round) -> Ranking {
        Ranking(roundId: round.id, method: round.method, balance: round.balance, computedAt: nil,
                ballotsCounted: 0, digest: nil, provisional: round.state != .closed, items: [])
    }

    enum CodingKeys: String, CodingKey {
        case method, balance, digest, provisional, items, withheld
        case roundId = "round_id", computedAt = "computed_at", ballotsCounted = "ballots_counted"
        case minGroupSize = "min_group_size", withheldGroups = "withheld_groups", lateMembers = "late_members"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        roundId = try c.decode(UUID.self, forKey: .roundId)
        method = try c.decode(VotingMethod.self, forKey: .method)
        balance = try c.decode(Balance.self, forKey: .balance)
        computedAt = try c.decodeIfPresent(Date.self, forKey: .computedAt)
        ballotsCounted = try c.decode(Int.self, forKey: .ballotsCounted)
        digest = try c.decodeIfPresent(String.self, forKey: .digest)
        provisional = try c.decode(Bool.self, forKey: .provisional)
        minGroupSize = try c.decodeIfPresent(Int.self, forKey: .minGroupSize)
        withheldGroups = try c.decodeIfPresent([String].self, forKey: .withheldGroups) ?? []
        lateMembers = try c.decodeIfPresent(Int.self, forKey: .lateMembers) ?? 0
        withheld = try c.decodeIfPresent(String.self, forKey: .withheld)
        items = try c.decode([RankingItem].self, forKey: .items)
    }

    /// Encodes absent values as `null`, so every key of the contract is always there.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(roundId, forKey: .roundId)
        try container.encode(method, forKey: .method)
        try container.encode(balance, forKey: .balance)
        try container.encode(computedAt, forKey: .computedAt)
        try container.encode(ballotsCounted, forKey: .ballotsCounted)
        try container.encode(digest, forKey: .digest)
        try container.encode(provisional, forKey: .provisional)
        try container.encode(minGroupSize, forKey: .minGroupSize)
        try container.encode(withheldGroups, forKey: .withheldGroups)
        try container.encode(lateMembers, forKey: .lateMembers)
        try container.encode(withheld, forKey: .withheld)
        try container.encode(items, forKey: .items)
    }
}

/// One recommendation's place in a ranking, with the figures that say how sure it is.
public struct RankingItem: Codable, Sendable, Equatable {
    /// A group's score and ballots, as the tally computes them.
    public typealias GroupScore = WerkstattVoting.GroupScore

    public var rank: Int
    public var recommendationId: UUID
    public var code: String
    public var title: String
    public var score: Double
    public var supporters: Int
    /// 90 % bootstrap interval of the rank: [lo, hi].
    public var rankInterval: [Int]
    public var consensus: Double
    public var controversy: Double
    public var byGroup: [String: GroupScore]
    public var meanGrade: Double?
    public var medianGrade: Int?
    public var borda: Double?
    public var schulzeWins: Int?

    public init(rank: Int, recommendationId: UUID, code: String, title: String, score: Double, supporters: Int,
                rankInterval: [Int], consensus: Double, controversy: Double, byGroup: [String: GroupScore],
                meanGrade: Double? = nil, medianGrade: Int? = nil, borda: Double? = nil, schulzeWins: Int? = nil) {
        self.rank = rank; self.recommendationId = recommendationId; self.code = code; self.title = title
        self.score = score; self.supporters = supporters; self.rankInterval = rankInterval
        self.consensus = consensus; self.controversy = controversy; self.byGroup = byGroup
        self.meanGrade = meanGrade; self.medianGrade = medianGrade; self.borda = borda; self.schulzeWins = schulzeWins
    }

    enum CodingKeys: String, CodingKey {
        case rank, code, title, score, supporters, consensus, controversy, borda
        case recommendationId = "recommendation_id", rankInterval = "rank_interval", byGroup = "by_group"
        case meanGrade = "mean_grade", medianGrade = "median_grade", schulzeWins = "schulze_wins"
    }
}

extension RankingItem {
    /// A result's item as the API shows it. Titles are not part of the count (nor of the
    /// canonical text), so the caller brings it.
    public init(_ item: ItemResult, title: String) throws(SnapshotItemError) {
        guard let id = UUID(uuidString: item.id) else { throw .notARecommendationId(item.id) }
        var byGroup = Dictionary(uniqueKeysWithValues: item.byGroup.map { ($0.key.rawValue, $0.value) })
        if let pool = item.furtherGroups { byGroup[Disclosure.furtherGroupsKey] = pool }
        self.init(rank: item.rank, recommendationId: id, code: item.code, title: title,
                  score: item.score, supporters: item.supporters,
                  rankInterval: [item.rankInterval.lo, item.rankInterval.hi],
                  consensus: item.consensus, controversy: item.controversy, byGroup: byGroup,
                  meanGrade: item.meanGrade, medianGrade: item.medianGrade, borda: item.borda,
                  schulzeWins: item.schulzeWins)
    }

    /// The items of a result as the API shows them: the one conversion, used by the worker
    /// when it writes a snapshot and by `werkstatt verify` when it recomputes one; titles
    /// come from `titles`, by recommendation id.
    public static func items(of result: RoundResult, titles: [String: String] = [:]) throws(SnapshotItemError) -> [RankingItem] {
        var items: [RankingItem] = []
        for item in result.items { items.append(try RankingItem(item, title: titles[item.id] ?? "")) }
        return items
    }
}

/// Why a result's item cannot be shown as a ranking item.
public enum SnapshotItemError: Error, Sendable, Equatable {
    /// Items of a round are recommendations, named by UUID; a candidate id that is not
    /// one comes from a canonical text written elsewhere.
    case notARecommendationId(String)
}

/// `GET /v1/rounds/{round_id}/audit`: the exact canonical text whose SHA-256 is the final
/// snapshot's digest, and that snapshot, so that `werkstatt verify` (or any other
/// implementation of docs/methods.md) can check both offline.
public struct RoundAudit: Codable, Sendable, Equatable {
    public var roundId: UUID
    public var digest: String
    /// The canonical form's version, its first line (e.g. `werkstatt-tally/2`).
    public var format: String
    public var canonical: String
    /// The final snapshot, as `GET /v1/rounds/{round_id}/ranking` shows it.
    public var ranking: Ranking

    public init(roundId: UUID, digest: String, format: String, canonical: String, ranking: Ranking) {
        self.roundId = roundId; self.digest = digest; self.format = format; self.canonical = canonical
        self.ranking = ranking
    }

    enum CodingKeys: String, CodingKey {
        case digest, format, canonical, ranking
        case roundId = "round_id"
    }
}
