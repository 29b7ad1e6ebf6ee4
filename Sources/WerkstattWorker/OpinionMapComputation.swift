import Foundation
import Logging
import PostgresNIO
import WerkstattDomain
import WerkstattOpinionMap
import WerkstattStore

/// One recomputation of one workshop's opinion map, in one REPEATABLE READ transaction, as
/// `SnapshotComputation` is for a round: the changes it consumes are exactly the stances
/// it read. An input whose digest equals the latest map's makes no new map.
public struct OpinionMapComputation: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// What a computation did.
    public struct Outcome: Sendable {
        public var workshop: UUID
        /// The new map's id; nil when the input had not changed.
        public var snapshot: Int64?
        public var placed: Int
        public var total: Duration
    }

    /// Claims a workshop whose map is out of date and nobody else is computing, and
    /// writes its map; nil when there is none.
    public func computeOne(claim: AggregationWorker.Claim = .init()) async throws -> Outcome? {
        let outcome = try await client.withTransaction(logger: logger) { tx -> Outcome? in
            try await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            let claimed = try await tx.query("""
                SELECT q.workshop_id FROM opinion_map_queue q
                 WHERE EXISTS (SELECT 1 FROM opinion_map_changes c WHERE c.workshop_id = q.workshop_id)
                   AND (q.retry_after IS NULL OR q.retry_after <= now())
                 ORDER BY (SELECT min(c.id) FROM opinion_map_changes c WHERE c.workshop_id = q.workshop_id)
                 LIMIT 1 FOR UPDATE OF q SKIP LOCKED
                """, logger: logger)
            guard let workshop = try await claimed.all({ try $0.get("workshop_id", as: UUID.self) }).first else {
                return nil
            }
            claim.set(.opinionMap(workshop: workshop))
            let clock = ContinuousClock()
            let start = clock.now
            let loaded = try await OpinionMapLoader(connection: tx, logger: logger).load(workshop)
            let latest = try await tx.query("""
                SELECT input_digest FROM opinion_maps WHERE workshop_id = \(workshop) ORDER BY id DESC LIMIT 1
                """, logger: logger)
            var snapshot: Int64?
            var placed = 0
            if try await latest.all({ try $0.get("input_digest", as: String.self) }).first != loaded.digest {
                let map = try OpinionMap.compute(loaded.input)
                placed = map.placed
                let content = OpinionMapSnapshot.Content(map: map, theses: loaded.theses,
                                                         labels: Self.labels(for: map.points.map(\.participant)))
                let json = String(decoding: try JSONEncoder().encode(content), as: UTF8.self)
                let inserted = try await tx.query("""
                    INSERT INTO opinion_maps (workshop_id, input_digest, min_stances, min_group_size, computed_at, map)
                    VALUES (\(workshop), \(loaded.digest), \(Int32(loaded.input.minStances)),
                            \(Int32(loaded.input.minGroupSize)), clock_timestamp(), \(json)::jsonb)
                    RETURNING id
                    """, logger: logger)
                snapshot = try await inserted.all { try $0.get("id", as: Int64.self) }.first
            }
            // Under REPEATABLE READ this deletes only the changes this transaction saw.
            try await tx.query("DELETE FROM opinion_map_changes WHERE workshop_id = \(workshop)", logger: logger)
            try await tx.query("""
                UPDATE opinion_map_queue SET failures = 0, retry_after = NULL, last_error = NULL
                 WHERE workshop_id = \(workshop) AND failures > 0
                """, logger: logger)
            return Outcome(workshop: workshop, snapshot: snapshot, placed: placed, total: clock.now - start)
        }
        if let outcome {
            logger.debug("opinion map computed", metadata: [
                "workshop": "\(outcome.workshop.text)", "snapshot": "\(outcome.snapshot.map(String.init) ?? "unchanged")",
                "placed": "\(outcome.placed)", "total": "\(outcome.total)"])
        }
        return outcome
    }

    /// A fresh random label per placed participant, drawn anew for every map, so that no
    /// label follows a person from one map to the next and none is derived from a member id.
    static func labels(for participants: [Int]) -> [Int: String] {
        var generator = SystemRandomNumberGenerator()
        var used = Set<String>()
        var labels: [Int: String] = [:]
        for participant in participants {
            var label: String
            repeat {
                label = "p-" + String(generator.next() & 0xFFFF_FFFF_FF, radix: 16).leftPadded(to: 10)
            } while !used.insert(label).inserted
            labels[participant] = label
        }
        return labels
    }

    /// Records a failure of `workshop`'s map and when to try it again; returns the failures in a row.
    static func backOff(_ workshop: UUID, error: any Error, on client: PostgresClient, logger: Logger) async throws -> Int {
        let reason = String(String(describing: error).prefix(500))
        return try await client.withTransaction(logger: logger) { tx in
            let rows = try await tx.query("""
                UPDATE opinion_map_queue SET failures = failures + 1, last_error = \(reason)
                 WHERE workshop_id = \(workshop) RETURNING failures
                """, logger: logger)
            let failures = Int(try await rows.all { try $0.get("failures", as: Int32.self) }.first ?? 1)
            try await tx.query("""
                UPDATE opinion_map_queue
                   SET retry_after = now() + \(AggregationWorker.backoff(failures: failures).seconds) * interval '1 second'
                 WHERE workshop_id = \(workshop)
                """, logger: logger)
            return failures
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
