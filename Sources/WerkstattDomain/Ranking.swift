import Foundation

/// The latest result the worker computed for a round (`GET /v1/rounds/{round_id}/ranking`).
public struct Ranking: Codable, Sendable, Equatable {
    public var roundId: UUID
    public var method: VotingMethod
    public var balance: RoundBalance
    /// Nil before the first snapshot.
    public var computedAt: Date?
    public var ballotsCounted: Int
    /// SHA-256 of the canonical input; nil before the first snapshot.
    public var digest: String?
    /// True while the round is open: later ballots may change it.
    public var provisional: Bool
    public var items: [RankingItem]

    public init(roundId: UUID, method: VotingMethod, balance: RoundBalance, computedAt: Date?,
                ballotsCounted: Int, digest: String?, provisional: Bool, items: [RankingItem]) {
        self.roundId = roundId; self.method = method; self.balance = balance; self.computedAt = computedAt
        self.ballotsCounted = ballotsCounted; self.digest = digest; self.provisional = provisional
        self.items = items
    }

    enum CodingKeys: String, CodingKey {
        case method, balance, digest, provisional, items
        case roundId = "round_id", computedAt = "computed_at", ballotsCounted = "ballots_counted"
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
        try container.encode(items, forKey: .items)
    }
}

/// One recommendation's place in a ranking, with the figures that say how sure it is.
public struct RankingItem: Codable, Sendable, Equatable {
    public struct GroupScore: Codable, Sendable, Equatable {
        public var score: Double
        public var ballots: Int
        public init(score: Double, ballots: Int) { self.score = score; self.ballots = ballots }
    }

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
