import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import WerkstattStore

/// Keeps a process's `TokenCache` in step with the database: LISTENs for `CallerChange`s
/// on a connection it holds for as long as it runs, and drops what each one names. The
/// cache answers only while LISTEN is in place: it starts once PostgreSQL has confirmed
/// LISTEN, and when the connection is lost the cache is emptied and asks the database for
/// every request until LISTEN is back (tried again every `retryDelay`).
public struct TokenCacheListener: Service {
    let client: PostgresClient
    let cache: TokenCache
    let logger: Logger
    let retryDelay: Duration
    /// How long a LISTEN may take to be confirmed before the attempt is given up.
    let startLimit: Duration

    public init(client: PostgresClient, cache: TokenCache, logger: Logger, retryDelay: Duration = .seconds(1),
                startLimit: Duration = .seconds(10)) {
        self.client = client
        self.cache = cache
        self.logger = logger
        self.retryDelay = retryDelay
        self.startLimit = startLimit
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await listen()
        }
        cache.setListening(false)
    }

    private func listen() async {
        while !Task.isCancelled {
            await attempt()
            // Not a hot path: at most once per retryDelay, and only while the database is away.
            try? await Task.sleep(for: retryDelay)
        }
    }

    /// One LISTEN, until its connection fails or the service ends. It runs on a task of its
    /// own that is watched, not awaited: PostgresNIO can leave a LISTEN that was in flight
    /// when its connection closed waiting forever, out of reach of cancellation
    /// (postgres-nio #601; seen here when a connection the server had just ended was handed
    /// out again). Such an attempt is given up when LISTEN is not confirmed within
    /// `startLimit`, and left behind when the service ends, so neither the cache nor the
    /// shutdown waits for it.
    private func attempt() async {
        let ended = Flag()
        let task = Task {
            defer { ended.set() }
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: CallerChange.channel) { notifications in
                        // Only now: a change committed from here on reaches this connection.
                        cache.setListening(true)
                        defer { cache.setListening(false) }
                        logger.debug("token cache listening")
                        for try await notification in notifications {
                            cache.apply(CallerChange(payload: notification.payload))
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for token changes failed; every request asks the database until it is back",
                               metadata: ["error": "\(String(reflecting: error))"])
            }
        }
        let started = ContinuousClock.now
        while !ended.isSet {
            if Task.isCancelled { task.cancel(); return }
            if !cache.isListening, ContinuousClock.now - started > startLimit {
                logger.warning("LISTEN for token changes was not confirmed in time; trying again on another connection")
                task.cancel()
                return
            }
            // One timer a tenth of a second per process, for a watch that is rarely needed.
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Set once, read from anywhere.
private final class Flag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
