/// An item's score over one stakeholder group's ballots alone.
public struct GroupScore: Sendable, Hashable, Codable {
    /// The method's score computed over that group's ballots only, each weighing 1.
    public var score: Double
    /// The group's ballots in the round.
    public var ballots: Int

    /// A group score.
    public init(score: Double, ballots: Int) {
        self.score = score
        self.ballots = ballots
    }
}

/// One item of a result.
public struct ItemResult: Sendable, Hashable {
    /// Index into `RoundInput.candidates`.
    public var candidate: Int
    /// The candidate's code.
    public var code: String
    /// The candidate's id.
    public var id: String
    /// Competition rank (1, 2, 2, 4).
    public var rank: Int
    /// dot: weighted points; approval: weighted share 0...1; score: majority grade (0 when
    /// nobody graded it); ranking: number of others beaten by strongest paths.
    public var score: Double
    /// Ballots supporting the item (unweighted): ≥ 1 point, approved, grade ≥ 3, or listed.
    public var supporters: Int
    /// 90 % bootstrap interval of the rank, always containing `rank`.
    public var rankInterval: RankInterval
    /// Group-aware consensus 0...1 (see `Agreement`).
    public var consensus: Double
    /// Disagreement between groups 0...1 (see `Agreement`).
    public var controversy: Double
    /// Score and ballots of each group the round's `Disclosure` shows on its own.
    public var byGroup: [StakeholderGroup: GroupScore]
    /// Score and ballots of the pooled further groups, when the disclosure has a pool.
    public var furtherGroups: GroupScore?
    /// Score rounds: weighted mean grade over the ballots that graded the item.
    public var meanGrade: Double?
    /// Score rounds: the majority grade (weighted lower median); nil if nobody graded it.
    public var medianGrade: Int?
    /// Ranking rounds: weighted Borda score (see `RankingMethod`).
    public var borda: Double?
    /// Ranking rounds: number of others it beats by strongest paths.
    public var schulzeWins: Int?
}

/// The outcome of a tally: a value, equal for equal inputs on every machine.
public struct RoundResult: Sendable, Hashable {
    /// The round's method.
    public var method: Method
    /// The round's balance.
    public var balance: Balance
    /// Hex SHA-256 of the canonical input (see `Digest`).
    public var digest: String
    /// Number of ballots counted.
    public var ballotsCounted: Int
    /// Ballots per group that cast any.
    public var ballotsPerGroup: [StakeholderGroup: Int]
    /// The weight of one ballot of each group that cast ballots.
    public var weights: [StakeholderGroup: Double]
    /// Bootstrap resamples behind the rank intervals.
    public var bootstrapSamples: Int
    /// Seed of the bootstrap.
    public var seed: UInt64
    /// Which groups the per-group figures show, pool or withhold.
    public var disclosure: Disclosure
    /// Items by rank, then code.
    public var items: [ItemResult]
}

// Synthesised coding needs the declaring file; keys follow the API's field names.
extension ItemResult: Codable {
    enum CodingKeys: String, CodingKey {
        case candidate, code, rank, score, supporters, consensus, controversy, borda
        case id = "recommendation_id"
        case rankInterval = "rank_interval"
        case byGroup = "by_group"
        case furtherGroups = "further_groups"
        case meanGrade = "mean_grade"
        case medianGrade = "median_grade"
        case schulzeWins = "schulze_wins"
    }
}

extension RoundResult: Codable {
    enum CodingKeys: String, CodingKey {
        case method, balance, digest, weights, seed, items, disclosure
        case ballotsCounted = "ballots_counted"
        case ballotsPerGroup = "ballots_per_group"
        case bootstrapSamples = "bootstrap_samples"
    }
}

