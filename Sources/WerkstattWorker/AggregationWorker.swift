import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import WerkstattStore

/// Turns ballots into ranking snapshots. Wakes on NOTIFY (and a slow sweep as the safety
/// net), claims one dirty round at a time with `FOR UPDATE SKIP LOCKED`, and writes its
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
    let computation: SnapshotComputation

    /// - Parameters:
    ///   - pause: the least rest after each snapshot, so that under a steady stream of
    ///     ballots one recomputation covers more of them and the API keeps the CPU it needs
    ///     (see `rest(after:)`); zero for no rest at all.
    ///   - hook: called at every step of a computation; throwing there abandons the
    ///     computation as a crash would (tests only).
    public init(client: PostgresClient, logger: Logger, sweepInterval: Duration = .seconds(5),
                pause: Duration = .zero, hook: (@Sendable (Step) async throws -> Void)? = nil) {
        self.client = client
        self.logger = logger
        self.sweepInterval = sweepInterval
        self.pause = pause
        self.computation = SnapshotComputation(client: client, logger: logger, hook: hook)
    }

    /// Longest one computation may take before it is abandoned and the round left dirty
    /// for the next pass. A query PostgresNIO never lets go of while PostgreSQL shuts
    /// down would otherwise stop the worker for good; a round of 100 000 ballots takes
    /// 0.4–0.6 s, so this is far from any real computation.
    public static let computationDeadline: Duration = .seconds(30)

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

    /// Computes dirty rounds until none is left that another worker is not already on.
    public func drain() async {
        while !Task.isCancelled {
            do {
                let started = ContinuousClock.now
                let computation = self.computation
                guard try await Deadline.run(Self.computationDeadline, { try await computation.computeOne() }) != nil else {
                    return
                }
                let rest = rest(after: ContinuousClock.now - started)
                if rest > .zero { try await Task.sleep(for: rest) }
            } catch where Self.isSerializationFailure(error) {
                // Another worker finished this round between our snapshot and our claim:
                // what we computed is already stale, so it was rolled back. Look again.
                logger.debug("another worker computed the round first; trying the next")
                continue
            } catch {
                // Shutting down abandons the computation; the next worker redoes it.
                if !Task.isCancelled {
                    logger.error("computing a snapshot failed; the round stays dirty",
                                 metadata: ["error": "\(String(reflecting: error))"])
                }
                return
            }
        }
    }

    static func isSerializationFailure(_ error: any Error) -> Bool {
        (StoreError.unwrapping(error) as? PSQLError)?.serverInfo?[.sqlState] == "40001"
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
