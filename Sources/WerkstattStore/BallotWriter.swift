import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import WerkstattDomain

/// Group commit for ballots: ballots cast at the same moment are written by one
/// statement in one transaction, and each caller is answered once that transaction has
/// committed. Under load this turns hundreds of commits (each waiting for the disk) into
/// a few; alone, a ballot is written at once as a batch of one.
///
/// A service: one per process (`buildApplication` makes it and runs it in the
/// application's `ServiceGroup`). Ballots written before `run()` begins wait for it. On
/// graceful shutdown it takes no more ballots (`StoreError.shuttingDown`), writes those
/// it has taken, and returns. Where no writer runs (the commands, store-level tests),
/// `PostgresRoundRepository` writes each ballot alone with `write(_:client:logger:)`.
public final class BallotWriter: Service, Sendable {
    /// One ballot on its way to the database.
    struct Ballot: Sendable {
        var round: UUID
        var member: UUID
        var content: String
        /// The compact form as a PostgreSQL array literal, e.g. `{0,3,1,2}`.
        var entries: String

        init(round: UUID, member: UUID, content: String, entries: [Int32]) {
            self.round = round
            self.member = member
            self.content = content
            self.entries = "{" + entries.map(String.init).joined(separator: ",") + "}"
        }

        var key: Key { Key(round: round, member: member) }
    }

    /// One ballot waiting for its batch.
    struct Pending {
        var ballot: Ballot
        var answer: CheckedContinuation<BallotReceipt?, any Error>
    }

    struct Key: Hashable {
        var round: UUID
        var member: UUID
    }

    /// What the writer does, as a test may watch it.
    enum Event: Sendable, Equatable {
        /// A ballot was taken; `waiting` ballots are now queued (not yet in a batch).
        case queued(waiting: Int)
        /// A batch of `ballots` goes to the database.
        case writing(ballots: Int)
        /// Graceful shutdown began: no ballot is taken from now on.
        case stopping
    }

    private enum Phase {
        /// `run()` has not begun: ballots wait for it.
        case idle
        case running
        /// Graceful shutdown: what is queued is written, nothing new is taken.
        case stopping
        case stopped
    }

    private struct State {
        var phase = Phase.idle
        var queue: [Pending] = []
        /// The run loop, while it waits for its next batch (nil: stop).
        var waiting: CheckedContinuation<[Pending]?, Never>?
    }

    /// `run()` was called again: a writer runs once.
    public struct AlreadyRun: Error {}

    /// Most ballots in one statement.
    static let maxBatch = 256
    /// Longest a batch may take before its callers are told `unavailable` and the writer
    /// moves on; below the API's default request deadline (4.5 s).
    static let deadline: Duration = .seconds(4)

    private let client: PostgresClient
    private let logger: Logger
    private let observe: (@Sendable (Event) -> Void)?
    private let state = Mutex(State())

    public convenience init(client: PostgresClient, logger: Logger) {
        self.init(client: client, logger: logger, observe: nil)
    }

    /// - Parameter observe: told of every `Event` (tests only).
    init(client: PostgresClient, logger: Logger, observe: (@Sendable (Event) -> Void)?) {
        self.client = client
        self.logger = logger
        self.observe = observe
    }

    /// Writes the ballot with whatever else is waiting; nil when its round is not open for
    /// ballots (or its workshop not voting); `StoreError.shuttingDown` once the writer stops.
    func write(_ ballot: Ballot) async throws -> BallotReceipt? {
        try await withCheckedThrowingContinuation { answer in
            let taken = state.withLock { state -> (waiting: Int, handOff: (CheckedContinuation<[Pending]?, Never>, [Pending]?)?)? in
                switch state.phase {
                case .idle, .running:
                    state.queue.append(Pending(ballot: ballot, answer: answer))
                    // An idle run loop gets its batch here, so no ballot waits for a wake-up.
                    let handOff = state.waiting.map { ($0, Self.takeBatch(from: &state.queue)) }
                    state.waiting = nil
                    return (state.queue.count, handOff)
                case .stopping, .stopped:
                    return nil
                }
            }
            guard let taken else {
                answer.resume(throwing: StoreError.shuttingDown)
                return
            }
            observe?(.queued(waiting: taken.waiting))
            if let (loop, batch) = taken.handOff { loop.resume(returning: batch) }
        }
    }

    /// Writes batches until graceful shutdown, then what is still queued. One batch at a
    /// time: a batch grows while the previous one commits; with four at once, the ingest
    /// bench made more, smaller commits and took 15 % fewer ballots. Cancelled (the group
    /// gave up on a graceful shutdown), it answers what is queued `shuttingDown` at once.
    public func run() async throws {
        let starting = state.withLock { state in
            guard state.phase == .idle else { return false }
            state.phase = .running
            return true
        }
        guard starting else { throw AlreadyRun() }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                while let batch = await nextBatch() {
                    await commit(batch)
                }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop(refusingQueued: true)
        }
        state.withLock { $0.phase = .stopped }
        logger.debug("ballot writer stopped")
    }

    /// Takes no more ballots; with `refusingQueued`, answers those queued, too.
    private func stop(refusingQueued: Bool = false) {
        let (began, refused, loop) = state.withLock { state -> (Bool, [Pending], CheckedContinuation<[Pending]?, Never>?) in
            let began = state.phase == .running
            if began { state.phase = .stopping }
            let refused = refusingQueued ? state.queue : []
            if refusingQueued { state.queue = [] }
            // A waiting loop has nothing queued: it ends.
            defer { state.waiting = nil }
            return (began, refused, state.waiting)
        }
        if began { observe?(.stopping) }
        refused.forEach { $0.answer.resume(throwing: StoreError.shuttingDown) }
        loop?.resume(returning: nil)
    }

    /// The next batch, once there is one; nil once the writer stops and nothing is queued.
    private func nextBatch() async -> [Pending]? {
        await withCheckedContinuation { loop in
            let now = state.withLock { state -> [Pending]?? in
                if let batch = Self.takeBatch(from: &state.queue) { return .some(batch) }
                guard state.phase == .running else { return .some(nil) }
                state.waiting = loop
                return .none
            }
            if let now { loop.resume(returning: now) }
        }
    }

    /// Writes one batch and answers its callers.
    private func commit(_ batch: [Pending]) async {
        observe?(.writing(ballots: batch.count))
        do {
            answer(batch, with: try await Self.insert(batch.map(\.ballot), client: client, logger: logger))
        } catch let error where Self.isFinal(error) || batch.count == 1 {
            batch.forEach { $0.answer.resume(throwing: Self.reported(error)) }
        } catch {
            // Whatever broke the batch must not fail the others: write them one by one.
            for pending in batch {
                do {
                    answer([pending], with: try await Self.insert([pending.ballot], client: client, logger: logger))
                } catch {
                    pending.answer.resume(throwing: Self.reported(error))
                }
            }
        }
    }

    /// Out of time, or the writer was cancelled: writing the ballots one by one would not help.
    private static func isFinal(_ error: any Error) -> Bool {
        if case StoreError.unavailable = error { return true }
        return error is CancellationError
    }

    /// The error a caller gets: cancelled in flight, the batch may or may not have committed.
    private static func reported(_ error: any Error) -> any Error {
        error is CancellationError ? StoreError.unavailable("the server stopped while writing the ballot") : error
    }

    /// Answers each caller with its receipt; nil for a ballot its round did not take.
    private func answer(_ batch: [Pending], with receipts: [Key: BallotReceipt]) {
        for pending in batch {
            pending.answer.resume(returning: receipts[pending.ballot.key])
        }
    }

    /// Writes one ballot as a batch of its own, with no writer: the same statement and
    /// deadline, a commit to itself.
    static func write(_ ballot: Ballot, client: PostgresClient, logger: Logger) async throws -> BallotReceipt? {
        try await insert([ballot], client: client, logger: logger)[ballot.key]
    }

    /// Writes a batch in one statement and one transaction (`WriteBallots`) and returns
    /// the receipts by member and round. Gives up at the deadline: a batch stuck on a
    /// connection PostgreSQL dropped must not hold its callers, nor the writer, for ever.
    private static func insert(_ batch: [Ballot], client: PostgresClient, logger: Logger) async throws -> [Key: BallotReceipt] {
        let statement = WriteBallots(rounds: batch.map(\.round), members: batch.map(\.member),
                                     contents: batch.map(\.content), entries: batch.map(\.entries))
        let rows = try await Deadline.run(deadline) { try await client.write(statement, logger: logger) }
        return Dictionary(rows.map { round, member, version, recordedAt in
            (Key(round: round, member: member), BallotReceipt(roundId: round, version: Int(version), recordedAt: recordedAt))
        }, uniquingKeysWith: { first, _ in first })
    }

    /// Up to `maxBatch` waiting ballots, at most one per member and round (a statement
    /// can change a row once); later ones of the same member wait for the next batch.
    /// Nil when nothing waits.
    private static func takeBatch(from queue: inout [Pending]) -> [Pending]? {
        guard !queue.isEmpty else { return nil }
        var batch: [Pending] = []
        var seen = Set<Key>()
        var rest: [Pending] = []
        for pending in queue {
            if batch.count < maxBatch, seen.insert(pending.ballot.key).inserted {
                batch.append(pending)
            } else {
                rest.append(pending)
            }
        }
        queue = rest
        return batch
    }
}

/// The current ballots, their history rows, the changes that mark the rounds dirty, and
/// the wake-up call for the workers, for a whole batch in one statement. A round must
/// take ballots (`rounds_taking_ballots`: open, its workshop voting, share-locked so that
/// closing waits for us); the rounds written are marked with `mark_rounds_dirty`, as
/// everywhere else. Prepared once per connection: it runs for every batch, and parsing
/// and planning it each time cost PostgreSQL more than running it.
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
        ), dirty AS (
            SELECT mark_rounds_dirty(ARRAY(SELECT DISTINCT round_id FROM current))
        )
        SELECT round_id, member_id, version, recorded_at, (SELECT count(*) FROM dirty) AS marked FROM current
        """
    typealias Row = (UUID, UUID, Int32, Date)

    var rounds: [UUID]
    var members: [UUID]
    var contents: [String]
    var entries: [String]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(rounds)
        bindings.append(members)
        bindings.append(contents)
        bindings.append(entries)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (round, member, version, recordedAt, _) = try row.decode((UUID, UUID, Int32, Date, Int64).self)
        return (round, member, version, recordedAt)
    }
}
