import Foundation
import Logging
import PostgresNIO
import WerkstattDomain
import WerkstattStore
import WerkstattVoting

/// One recomputation of one round, in one REPEATABLE READ transaction: every read sees
/// the same moment, so the changes it consumes are exactly the ballots it counted.
public struct SnapshotComputation: Sendable {
    let client: PostgresClient
    let logger: Logger
    let hook: (@Sendable (AggregationWorker.Step) async throws -> Void)?

    public init(client: PostgresClient, logger: Logger,
                hook: (@Sendable (AggregationWorker.Step) async throws -> Void)? = nil) {
        self.client = client
        self.logger = logger
        self.hook = hook
    }

    /// What a computation wrote.
    public struct Outcome: Sendable {
        public var round: UUID
        public var ballots: Int
        public var watermark: Int64
        public var provisional: Bool
        /// Time to read the round's ballots from PostgreSQL.
        public var loading: Duration
        /// Time for the tally (methods, balance, bootstrap, digest).
        public var counting: Duration
        /// From claiming the round to the end of writing its snapshot (before commit).
        public var total: Duration
    }

    /// Claims a dirty round nobody else is computing and writes its snapshot; nil when
    /// there is none.
    public func computeOne() async throws -> Outcome? {
        let outcome = try await compute()
        if let outcome {
            logger.debug("snapshot written", metadata: [
                "round": "\(outcome.round)", "ballots": "\(outcome.ballots)", "watermark": "\(outcome.watermark)",
                "loading": "\(outcome.loading)", "counting": "\(outcome.counting)", "total": "\(outcome.total)"])
        }
        return outcome
    }

    private func compute() async throws -> Outcome? {
        try await client.withTransaction(logger: logger) { tx in
            try await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            // Oldest change first; rounds another worker holds are skipped, not waited for.
            let claimed = try await tx.query("""
                SELECT q.round_id FROM round_queue q
                 WHERE EXISTS (SELECT 1 FROM round_changes c WHERE c.round_id = q.round_id)
                 ORDER BY (SELECT min(c.id) FROM round_changes c WHERE c.round_id = q.round_id)
                 LIMIT 1 FOR UPDATE OF q SKIP LOCKED
                """, logger: logger)
            guard let round = try await claimed.all({ try $0.get("round_id", as: UUID.self) }).first else {
                return nil
            }
            try await hook?(.claimed)
            let clock = ContinuousClock()
            let start = clock.now
            let input = try await RoundLoader(connection: tx, logger: logger).load(round)
            let loaded = clock.now
            try await hook?(.loaded)
            let result = Tally.compute(input.tally)
            let counted = clock.now
            try await hook?(.computed)
            let items = try SnapshotItems.make(result, titles: input.titles)
            try await tx.query("""
                INSERT INTO ranking_snapshots (round_id, method, balance, ballots_counted, watermark, digest,
                                               provisional, items, computed_at)
                VALUES (\(round), \(input.method.rawValue), \(input.balanceJSON)::jsonb, \(Int32(result.ballotsCounted)),
                        \(input.watermark), \(result.digest), \(input.provisional), \(items)::jsonb, clock_timestamp())
                """, logger: logger)
            // Under REPEATABLE READ this deletes only the changes this transaction saw;
            // ballots committed meanwhile leave theirs, and the round stays dirty.
            try await tx.query("DELETE FROM round_changes WHERE round_id = \(round)", logger: logger)
            try await hook?(.written)
            return Outcome(round: round, ballots: result.ballotsCounted, watermark: input.watermark,
                           provisional: input.provisional, loading: loaded - start,
                           counting: counted - loaded, total: clock.now - start)
        }
    }
}
