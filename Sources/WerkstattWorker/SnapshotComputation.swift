import Foundation
import Logging
import PostgresNIO
import Synchronization
import WerkstattDomain
import WerkstattStore
import WerkstattVoting

/// One recomputation of one round, in one REPEATABLE READ transaction: every read sees
/// the same moment, so the changes it consumes are exactly the ballots it counted.
public struct SnapshotComputation: Sendable {
    let client: PostgresClient
    let logger: Logger
    let hook: (@Sendable (AggregationWorker.Step, UUID) async throws -> Void)?

    public init(client: PostgresClient, logger: Logger,
                hook: (@Sendable (AggregationWorker.Step, UUID) async throws -> Void)? = nil) {
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
        /// Whether readers may see the snapshot (see `published(…)`).
        public var published: Bool
        /// Time to read the round's ballots from PostgreSQL.
        public var loading: Duration
        /// Time for the tally (methods, balance, bootstrap, digest).
        public var counting: Duration
        /// From claiming the round to the end of writing its snapshot (before commit).
        public var total: Duration
    }

    /// Claims a dirty round nobody else is computing and writes its snapshot; nil when
    /// there is none.
    public func computeOne(claim: AggregationWorker.Claim = .init()) async throws -> Outcome? {
        let outcome = try await compute(claim)
        if let outcome {
            logger.debug("snapshot written", metadata: [
                "round": "\(outcome.round.text)", "ballots": "\(outcome.ballots)", "watermark": "\(outcome.watermark)",
                "published": "\(outcome.published)",
                "loading": "\(outcome.loading)", "counting": "\(outcome.counting)", "total": "\(outcome.total)"])
        }
        return outcome
    }

    private func compute(_ claim: AggregationWorker.Claim) async throws -> Outcome? {
        try await client.withTransaction(logger: logger) { tx in
            try await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            // Oldest change first; rounds another worker holds are skipped, not waited for,
            // and so are rounds backing off after a failure.
            let claimed = try await tx.query("""
                SELECT q.round_id FROM round_queue q
                 WHERE EXISTS (SELECT 1 FROM round_changes c WHERE c.round_id = q.round_id)
                   AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.id = q.round_id AND r.history_pruned_at IS NOT NULL)
                   AND NOT EXISTS (SELECT 1 FROM round_backoff b WHERE b.round_id = q.round_id AND b.retry_after > now())
                 ORDER BY (SELECT min(c.id) FROM round_changes c WHERE c.round_id = q.round_id)
                 LIMIT 1 FOR UPDATE OF q SKIP LOCKED
                """, logger: logger)
            guard let round = try await claimed.all({ try $0.get("round_id", as: UUID.self) }).first else {
                return nil
            }
            claim.set(.round(round))
            try await hook?(.claimed, round)
            let clock = ContinuousClock()
            let start = clock.now
            let input = try await RoundLoader(connection: tx, logger: logger).load(round)
            let loaded = clock.now
            try await hook?(.loaded, round)
            let result = try Tally.computeCancellable(input.tally)
            let counted = clock.now
            try await hook?(.computed, round)
            let items = String(decoding: try JSONEncoder().encode(try RankingItem.items(of: result, titles: input.titles)),
                               as: UTF8.self)
            let k = input.tally.minGroupSize
            let published = try await self.published(round, input: input, on: tx)
            let withheld = result.disclosure.undisclosed.map(\.rawValue)
            let inserted = try await tx.query("""
                INSERT INTO ranking_snapshots (round_id, method, balance, ballots_counted, watermark, digest,
                                               provisional, items, computed_at, min_group_size, withheld_groups,
                                               late_members, published)
                VALUES (\(round), \(input.method.rawValue), \(input.balanceJSON)::jsonb, \(Int32(result.ballotsCounted)),
                        \(input.watermark), \(result.digest), \(input.provisional), \(items)::jsonb, clock_timestamp(),
                        \(Int32(k)), \(withheld), \(Int32(input.lateMembers)), \(published))
                RETURNING id
                """, logger: logger)
            let snapshot = try await inserted.all { try $0.get("id", as: Int64.self) }[0]
            if !input.provisional {
                // The final snapshot keeps the exact text its digest is the hash of.
                try await tx.query("""
                    INSERT INTO snapshot_audits (snapshot_id, format, canonical)
                    VALUES (\(snapshot), \(Digest.formatVersion), \(Digest.canonicalForm(input.tally)))
                    """, logger: logger)
            }
            // Under REPEATABLE READ this deletes only the changes this transaction saw;
            // ballots committed meanwhile leave theirs, and the round stays dirty.
            try await tx.query("DELETE FROM round_changes WHERE round_id = \(round)", logger: logger)
            try await tx.query("DELETE FROM round_backoff WHERE round_id = \(round)", logger: logger)
            try await hook?(.written, round)
            return Outcome(round: round, ballots: result.ballotsCounted, watermark: input.watermark,
                           provisional: input.provisional, published: published, loading: loaded - start,
                           counting: counted - loaded, total: clock.now - start)
        }
    }

    /// Whether readers may see a snapshot: the final one always; a provisional one only
    /// when at least k members' ballots differ from the ones the last published snapshot
    /// counted (members, not changes, and real changes only: one member changing a ballot
    /// k times, or casting the same ballot again, is not k), so that no two readings differ
    /// by fewer than k people's ballots. A recount of the same ballots under a new k is
    /// published too: it changes no ballot, only what is disclosed.
    private func published(_ round: UUID, input: RoundLoader.Loaded, on tx: PostgresConnection) async throws -> Bool {
        guard input.provisional else { return true }
        let k = input.tally.minGroupSize
        // A member counts when their ballot now differs from the one the last published
        // snapshot counted: re-casting the same ballot, or withdrawing and casting it
        // again, changes nothing a reader could see, so it must not count towards k.
        // One index look-up per member (ballot_history's (round_id, member_id, version) key)
        // for the ballot now and the one the last published snapshot counted: linear in the
        // members who cast since, whatever the planner's statistics say. (Joining two
        // DISTINCT ON sets instead was planned as a nested loop on a young table and took
        // most of a second at 3 000 members, which cost the freshness benchmark its target.)
        let rows = try await tx.query("""
            WITH last AS (
                SELECT watermark, min_group_size FROM ranking_snapshots
                 WHERE round_id = \(round) AND published ORDER BY id DESC LIMIT 1
            ), since AS (
                SELECT DISTINCT member_id FROM ballot_history
                 WHERE round_id = \(round) AND id > COALESCE((SELECT watermark FROM last), 0) AND id <= \(input.watermark)
            )
            SELECT (SELECT count(*) FROM since s
                     WHERE (SELECT h.content FROM ballot_history h
                             WHERE h.round_id = \(round) AND h.member_id = s.member_id AND h.id <= \(input.watermark)
                             ORDER BY h.version DESC LIMIT 1)
                           IS DISTINCT FROM
                           (SELECT h.content FROM ballot_history h
                             WHERE h.round_id = \(round) AND h.member_id = s.member_id
                               AND h.id <= COALESCE((SELECT watermark FROM last), 0)
                             ORDER BY h.version DESC LIMIT 1)) AS changed,
                   (SELECT watermark FROM last) AS watermark, (SELECT min_group_size FROM last) AS k
            """, logger: logger)
        let (changed, lastWatermark, lastK) = try await rows.all {
            (try $0.get("changed", as: Int64.self), try $0.get("watermark", as: Int64?.self), try $0.get("k", as: Int32?.self))
        }[0]
        if changed >= k { return true }
        return lastWatermark == input.watermark && lastK.map(Int.init) != k
    }
}
