import Logging
import PostgresNIO
import ServiceLifecycle
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

    public init(client: PostgresClient, cache: TokenCache, logger: Logger, retryDelay: Duration = .seconds(1)) {
        self.client = client
        self.cache = cache
        self.logger = logger
        self.retryDelay = retryDelay
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await listen()
        }
        cache.setListening(false)
    }

    private func listen() async {
        while !Task.isCancelled {
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
            // Not a hot path: at most once per retryDelay, and only while the database is away.
            try? await Task.sleep(for: retryDelay)
        }
    }
}
