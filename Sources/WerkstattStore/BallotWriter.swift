import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Group commit for ballots: ballots cast at the same moment are written by one
/// statement in one transaction, and each caller is answered once that transaction has
/// committed. Under load this turns hundreds of commits (each waiting for the disk) into
/// a few; alone, a ballot is written at once as a batch of one.
actor BallotWriter {
    /// One ballot waiting for its batch.
    struct Pending {
        var round: UUID
        var member: UUID
        var content: String
        var entries: String
        var answer: CheckedContinuation<BallotReceipt?, any Error>
    }

    private let client: PostgresClient
    private let logger: Logger
    /// Most ballots in one statement.
    private let maxBatch = 256
    /// Longest a batch may take before its callers are told `unavailable` and the writer
    /// moves on; below the API's default request deadline (4.5 s).
    private let deadline: Duration = .seconds(4)
    private var queue: [Pending] = []
    /// Whether a writer is at work. There is one at a time, so a batch grows while the
    /// previous one commits; with four, the ingest bench made more, smaller commits and
    /// took 15 % fewer ballots.
    private var draining = false

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Writes the ballot with whatever else is waiting; nil when its round is not open for
    /// ballots (or its workshop not voting).
    func write(round: UUID, member: UUID, content: String, entries: [Int32]) async throws -> BallotReceipt? {
        let entries = "{" + entries.map(String.init).joined(separator: ",") + "}"
        return try await withCheckedThrowingContinuation { answer in
            queue.append(Pending(round: round, member: member, content: content, entries: entries, answer: answer))
            if !draining {
                draining = true
                Task { await drain() }
            }
        }
    }

    /// Writes batches until nothing waits.
    private func drain() async {
        while !queue.isEmpty {
            let batch = takeBatch()
            do {
                answer(batch, with: try await insert(batch))
            } catch StoreError.unavailable(let detail) {
                // Out of time: writing them one by one would only take longer.
                batch.forEach { $0.answer.resume(throwing: StoreError.unavailable(detail)) }
            } catch where batch.count > 1 {
                // Whatever broke the batch must not fail the others: write them one by one.
                for pending in batch {
                    do {
                        answer([pending], with: try await insert([pending]))
                    } catch {
                        pending.answer.resume(throwing: error)
                    }
                }
            } catch {
                batch.forEach { $0.answer.resume(throwing: error) }
            }
        }
        draining = false
    }

    /// Answers each caller with its receipt; nil for a ballot its round did not take.
    private func answer(_ batch: [Pending], with receipts: [Key: BallotReceipt]) {
        for pending in batch {
            pending.answer.resume(returning: receipts[Key(round: pending.round, member: pending.member)])
        }
    }

    /// Writes a batch in one statement and one transaction (`WriteBallots`) and returns
    /// the receipts by member and round. Gives up at the deadline: a batch stuck on a
    /// connection PostgreSQL dropped must not hold its callers, nor the writer, for ever.
    private func insert(_ batch: [Pending]) async throws -> [Key: BallotReceipt] {
        let statement = WriteBallots(rounds: batch.map(\.round), members: batch.map(\.member),
                                     contents: batch.map(\.content), entries: batch.map(\.entries))
        let (client, logger) = (self.client, self.logger)
        let rows = try await Deadline.run(deadline) { try await client.write(statement, logger: logger) }
        return Dictionary(rows.map { round, member, version, recordedAt in
            (Key(round: round, member: member), BallotReceipt(roundId: round, version: Int(version), recordedAt: recordedAt))
        }, uniquingKeysWith: { first, _ in first })
    }

    /// Up to `maxBatch` waiting ballots, at most one per member and round (a statement
    /// can change a row once); later ones of the same member wait for the next batch.
    private func takeBatch() -> [Pending] {
        var batch: [Pending] = []
        var seen = Set<Key>()
        var rest: [Pending] = []
        for pending in queue {
            let key = Key(round: pending.round, member: pending.member)
            if batch.count < maxBatch, seen.insert(key).inserted {
                batch.append(pending)
            } else {
                rest.append(pending)
            }
        }
        queue = rest
        return batch
    }

    struct Key: Hashable {
        var round: UUID
        var member: UUID
    }
}

/// The current ballots, their history rows, the changes that mark the rounds dirty, and
/// the wake-up call for the workers, for a whole batch in one statement. A round must
/// take ballots (`rounds_taking_ballots`: open, its workshop voting, share-locked so that
/// closing waits for us). Prepared once per
/// connection: it runs for every batch, and parsing and planning it each time cost
/// PostgreSQL more than running it.
struct WriteBallots: PostgresPreparedStatement {
    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])
                   AS i(round_id, member_id, content, entries)
        ), open AS (
            SELECT t.id FROM rounds_taking_ballots(ARRAY(SELECT DISTINCT round_id FROM input)) AS t(id)
        ), current AS (
            INSERT INTO ballots (round_id, member_id, workshop_id, version, content, entries)
            SELECT i.round_id, i.member_id, r.workshop_id, 1, i.content::jsonb, i.entries::integer[]
              FROM input i JOIN rounds r ON r.id = i.round_id
             WHERE i.round_id IN (SELECT id FROM open)
            ON CONFLICT (round_id, member_id) DO UPDATE
               SET version = ballots.version + 1, content = EXCLUDED.content, entries = EXCLUDED.entries,
                   recorded_at = now()
            RETURNING round_id, member_id, version, content, recorded_at
        ), history AS (
            INSERT INTO ballot_history (round_id, member_id, version, content, recorded_at)
            SELECT round_id, member_id, version, content, recorded_at FROM current
        ), change AS (
            INSERT INTO round_changes (round_id) SELECT DISTINCT round_id FROM current
        ), wake AS (
            SELECT pg_notify($5, round_id::text) FROM (SELECT DISTINCT round_id FROM current) AS changed
        )
        SELECT round_id, member_id, version, recorded_at, (SELECT count(*) FROM wake) AS woken FROM current
        """
    typealias Row = (UUID, UUID, Int32, Date)

    var rounds: [UUID]
    var members: [UUID]
    var contents: [String]
    var entries: [String]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(rounds)
        bindings.append(members)
        bindings.append(contents)
        bindings.append(entries)
        bindings.append(PostgresRoundRepository.channel)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (round, member, version, recordedAt, _) = try row.decode((UUID, UUID, Int32, Date, Int64).self)
        return (round, member, version, recordedAt)
    }
}
