import Foundation

/// `GET /v1/implementation-items/{item_id}/lineage`: what became of a recommendation, from
/// the theses it came from to the item and its measures.
public struct Lineage: Codable, Sendable {
    /// A round the recommendation stood in, as the caller may see its ranking.
    public struct RoundStanding: Codable, Sendable, Equatable {
        public var roundId: UUID
        public var title: String
        public var state: Round.State
        public var method: VotingMethod
        public var closedAt: Date?
        /// Nil while the caller may not see the round's standing, or it was not ranked.
        public var rank: Int?
        public var rankInterval: [Int]?
        /// The digest of the snapshot the rank comes from (published snapshots only).
        public var digest: String?
        public var provisional: Bool
        public var computedAt: Date?

        public init(roundId: UUID, title: String, state: Round.State, method: VotingMethod, closedAt: Date?,
                    rank: Int?, rankInterval: [Int]?, digest: String?, provisional: Bool, computedAt: Date?) {
            self.roundId = roundId; self.title = title; self.state = state; self.method = method; self.closedAt = closedAt
            self.rank = rank; self.rankInterval = rankInterval; self.digest = digest; self.provisional = provisional
            self.computedAt = computedAt
        }

        enum CodingKeys: String, CodingKey {
            case title, state, method, rank, digest, provisional
            case roundId = "round_id", closedAt = "closed_at", rankInterval = "rank_interval", computedAt = "computed_at"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(roundId, forKey: .roundId); try c.encode(title, forKey: .title); try c.encode(state, forKey: .state)
            try c.encode(method, forKey: .method); try c.encode(closedAt, forKey: .closedAt); try c.encode(rank, forKey: .rank)
            try c.encode(rankInterval, forKey: .rankInterval); try c.encode(digest, forKey: .digest)
            try c.encode(provisional, forKey: .provisional); try c.encode(computedAt, forKey: .computedAt)
        }
    }

    public var theses: [Thesis]
    public var recommendation: Recommendation
    public var rounds: [RoundStanding]
    public var item: ImplementationItem

    public init(theses: [Thesis], recommendation: Recommendation, rounds: [RoundStanding], item: ImplementationItem) {
        self.theses = theses; self.recommendation = recommendation; self.rounds = rounds; self.item = item
    }
}
