import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Synchronization
import WerkstattDomain
import WerkstattStore

/// Turns ballots into ranking snapshots. Wakes on NOTIFY (and a slow sweep as the safety
/// net), claims dirty rounds with `FOR UPDATE SKIP LOCKED` (in `lanes` computations at once), and writes its
/// snapshot in the transaction that consumes the round's changes. Any number of workers
/// may run against one database.
public struct AggregationWorker: Service {
    /// Points between the steps of one computation, where a test may stop the worker.
    public enum Step: String, Sendable {
        case claimed, loaded, computed, written
    }

    let client: PostgresClient
    let logger: Logger
    let sweepInterval: Duration
    let pause: Duration
    let computationDeadline: Duration
    let lanes: Int
    let computation: SnapshotComputation
    let opinionMaps: OpinionMapComputation
    let retention: SnapshotRetention?

    /// - Parameters:
    ///   - pause: the least rest after each snapshot, so that under a steady stream of
    ///     ballots one recomputation covers more of them and the API keeps the CPU it needs
    ///     (see `rest(after:)`); zero for no rest at all.
    ///   - computationDeadline: longest one computation may take (see `defaultComputationDeadline`).
    ///   - lanes: computations at once: a round that takes long (up to the deadline) holds
    ///     one lane, and the other rounds go on in the others.
    ///   - retention: which snapshots nobody needs are pruned, and how often; nil keeps all.
    ///   - hook: called at every step of a computation with its round; throwing there
    ///     abandons the computation as a crash would (tests only).
    public init(client: PostgresClient, logger: Logger, sweepInterval: Duration = .seconds(5),
                pause: Duration = .zero, computationDeadline: Duration = Self.defaultComputationDeadline,
                lanes: Int = 2, retention: SnapshotRetention? = SnapshotRetention(),
                hook: (@Sendable (Step, UUID) async throws -> Void)? = nil) {
        self.client = client
        self.logger = logger
        self.sweepInterval = sweepInterval
        self.pause = pause
        self.computationDeadline = computationDeadline
        self.lanes = max(1, lanes)
        self.retention = retention
        self.computation = SnapshotComputation(client: client, logger: logger, hook: hook)
        self.opinionMaps = OpinionMapComputation(client: client, logger: logger)
    }

    /// A unit of the worker's work: a round's ranking snapshot or a workshop's opinion map.
    public enum Job: Sendable, Equatable {
        case round(UUID)
        case opinionMap(workshop: UUID)
    }

    /// The job a computation claimed, set as soon as it is known, so that the worker can
    /// back off from it if the computation fails or overruns its deadline.
    public final class Claim: Sendable {
        private let job = Mutex<Job?>(nil)
        public init() {}
        public var value: Job? { job.withLock { $0 } }
        func set(_ value: Job) { job.withLock { $0 = value } }
    }

    /// Longest one computation may take before it is abandoned (the tally stops at its
    /// next cancellation check) and the round backs off. A query PostgresNIO never lets go
    /// of while PostgreSQL shuts down would otherwise stop the worker for good; a round of
    /// 100 000 ballots takes 0.4–0.6 s, and the worst round at the item cap a few seconds
    /// (docs/performance.md), so this is far from any real computation.
    public static let defaultComputationDeadline: Duration = .seconds(30)

    /// The wait before retrying a round whose computation failed for the n-th time in a
    /// row: 1 s, doubling, at most 5 minutes. Other rounds go on meanwhile.
    static func backoff(failures: Int) -> Duration {
        .seconds(min(300, 1 << min(max(failures - 1, 0), 9)))
    }

    /// The pause `serve --with-worker` and `werkstatt worker` use by default.
    public static let defaultPause: Duration = .milliseconds(250)

    /// How long to rest after a computation that took `computing`: ten times as long, so
    /// a worker recounting a large round under a steady stream of ballots spends at most
    /// a tenth of its time on it; at least `pause` (small rounds stay fresh) and at most a
    /// second (large rounds stay within the freshness target).
    func rest(after computing: Duration) -> Duration {
        guard pause > .zero else { return .zero }
        return min(max(pause, computing * 10), max(pause, .seconds(1)))
    }

    public func run() async throws {
        try await SchemaGate.waitUntilCurrent(client: client, logger: logger)
        logger.info("aggregation worker started")
        let (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await listen(wake) }
                if let retention {
                    group.addTask { try await prune(retention) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        wake.yield()
                        try await Task.sleep(for: sweepInterval)
                    }
                }
                for await _ in wakeUps {
                    await drain()
                }
                group.cancelAll()
            }
        }
        wake.finish()
        logger.info("aggregation worker stopped")
    }

    /// Computes dirty rounds until none is left that another worker is not already on, in
    /// `lanes` computations at once (each claims its own round, `SKIP LOCKED`). A round
    /// whose computation fails, or overruns its deadline, backs off (its own table,
    /// `round_backoff`) and the lane moves on to the next one.
    public func drain() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<lanes {
                group.addTask { await drainLane() }
            }
        }
    }

    private func drainLane() async {
        while !Task.isCancelled {
            let claim = Claim()
            do {
                let started = ContinuousClock.now
                let (rounds, maps) = (computation, opinionMaps)
                // Rankings first: they are what a vote waits for; maps when no round is dirty.
                let done = try await Deadline.run(computationDeadline) { () async throws -> Bool in
                    if try await rounds.computeOne(claim: claim) != nil { return true }
                    return try await maps.computeOne(claim: claim) != nil
                }
                guard done else { return }
                let rest = rest(after: ContinuousClock.now - started)
                if rest > .zero { try await Task.sleep(for: rest) }
            } catch where Self.isSerializationFailure(error) {
                // Another worker finished this job between our snapshot and our claim:
                // what we computed is already stale, so it was rolled back. Look again.
                logger.debug("another worker computed the job first; trying the next")
                continue
            } catch {
                // Shutting down abandons the computation; the next worker redoes it.
                if Task.isCancelled { return }
                guard let job = claim.value else {
                    logger.error("looking for work failed", metadata: ["error": "\(String(reflecting: error))"])
                    return
                }
                do {
                    let failures = try await backOff(job, error: error)
                    logger.error("a computation failed; it backs off and the others go on", metadata: [
                        "job": "\(job)", "failures": "\(failures)", "error": "\(String(reflecting: error))"])
                } catch {
                    logger.error("recording a failed computation failed", metadata: ["error": "\(String(reflecting: error))"])
                    return
                }
            }
        }
    }

    /// Records a failure of `job` and when to try it again; returns the failures in a row.
    private func backOff(_ job: Job, error: any Error) async throws -> Int {
        switch job {
        case .round(let round):
            return try await backOff(round, error: error)
        case .opinionMap(let workshop):
            let (client, logger) = (self.client, self.logger)
            return try await Deadline.run(.seconds(5)) {
                try await OpinionMapComputation.backOff(workshop, error: error, on: client, logger: logger)
            }
        }
    }

    /// Records a failure of `round` and when to try it again; returns the failures in a row.
    private func backOff(_ round: UUID, error: any Error) async throws -> Int {
        let reason = String(String(describing: error).prefix(500))
        let (client, logger) = (self.client, self.logger)
        return try await Deadline.run(.seconds(5)) {
            try await client.withTransaction(logger: logger) { tx in
                let rows = try await tx.query("""
                    INSERT INTO round_backoff (round_id, failures, retry_after, last_error)
                    VALUES (\(round), 1, now(), \(reason))
                    ON CONFLICT (round_id) DO UPDATE
                       SET failures = round_backoff.failures + 1, last_error = EXCLUDED.last_error
                    RETURNING failures
                    """, logger: logger)
                let failures = Int(try await rows.all { try $0.get("failures", as: Int32.self) }[0])
                try await tx.query("""
                    UPDATE round_backoff SET retry_after = now() + \(Self.backoff(failures: failures).seconds) * interval '1 second'
                     WHERE round_id = \(round)
                    """, logger: logger)
                return failures
            }
        }
    }

    static func isSerializationFailure(_ error: any Error) -> Bool {
        (StoreError.unwrapping(error) as? PSQLError)?.serverInfo?[.sqlState] == "40001"
    }

    /// Prunes snapshots every `retention.interval`; a failed pruning is tried at the next.
    private func prune(_ retention: SnapshotRetention) async throws {
        while !Task.isCancelled {
            do {
                let pruned = try await retention.prune(client: client, logger: logger)
                if pruned > 0 { logger.debug("snapshots pruned", metadata: ["snapshots": "\(pruned)"]) }
            } catch {
                if Task.isCancelled { return }
                logger.warning("pruning snapshots failed; trying again later", metadata: ["error": "\(String(reflecting: error))"])
            }
            try await Task.sleep(for: retention.interval)
        }
    }

    /// Turns notifications into wake-ups, reconnecting after a lost connection.
    private func listen(_ wake: AsyncStream<Void>.Continuation) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    for try await _ in try await connection.listen(PostgresRoundRepository.channel) {
                        wake.yield()
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for round changes failed; retrying", metadata: ["error": "\(error)"])
                // Something may have changed while nobody listened.
                wake.yield()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
