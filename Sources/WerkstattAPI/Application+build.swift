import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import WerkstattRules
import WerkstattStore

/// Settings of the HTTP service.
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Longest a request may take before it is answered 503.
    public var requestDeadline: Duration
    /// Requests a second (and burst) allowed per token.
    public var rateLimit: RateLimit
    /// Requests a second (and burst) allowed per client address, before authentication.
    public var addressRateLimit: RateLimit
    /// Reverse proxies whose `X-Forwarded-For` names the client (IP addresses).
    public var trustedProxies: Set<String>
    /// How long a token's caller is kept (`TokenCache`); zero keeps none.
    public var tokenCacheTTL: Duration
    /// The clock time-dependent rules (the rate limits, the token cache) read; tests move one by hand.
    public var clock: any MonotonicClock

    public init(host: String = "127.0.0.1", port: Int = 8080, requestDeadline: Duration = .milliseconds(4500),
                rateLimit: RateLimit = .standard, addressRateLimit: RateLimit = .perAddress,
                trustedProxies: Set<String> = [], tokenCacheTTL: Duration = AppConfiguration.defaultTokenCacheTTL,
                clock: any MonotonicClock = SystemClock()) {
        self.host = host
        self.port = port
        self.requestDeadline = requestDeadline
        self.rateLimit = rateLimit
        self.addressRateLimit = addressRateLimit
        self.trustedProxies = trustedProxies
        self.tokenCacheTTL = tokenCacheTTL
        self.clock = clock
    }

    /// The longest a change to a token can go unnoticed by a process whose notification
    /// was lost (docs/security.md); normally it is noticed within milliseconds.
    public static let defaultTokenCacheTTL: Duration = .seconds(5)
}

/// The Werkstatt application: the router with every route under the request deadline,
/// over one PostgreSQL client.
/// The client, the ballot writer and the token cache's listener run as the application's
/// services; pass further services (the worker) in `services`.
/// - Parameter tokenCache: the process's token cache (tests look into it); by default one
///   of `configuration.tokenCacheTTL`. A cache of zero TTL runs no listener and keeps nothing.
public func buildApplication(
    configuration: AppConfiguration,
    client: PostgresClient,
    services: [any Service] = [],
    tokenCache: TokenCache? = nil,
    logger: Logger
) -> Application<DeadlineResponder<RouterResponder<AppRequestContext>>> {
    let ballots = BallotWriter(client: client, logger: logger)
    let repositories = Repositories(postgres: client, logger: logger, ballots: ballots)
    let router = buildRouter(client: client, repositories: repositories, rateLimit: configuration.rateLimit, clock: configuration.clock,
                             logger: logger)
    let cache = tokenCache ?? TokenCache(ttl: configuration.tokenCacheTTL, clock: configuration.clock)
    let listener: [any Service] = cache.ttl > .zero ? [TokenCacheListener(client: client, cache: cache, logger: logger)] : []
    let admission = Admission(authenticator: Authenticator(tokens: repositories.tokens, cache: cache),
                              addresses: RateLimiter(limit: configuration.addressRateLimit, clock: configuration.clock),
                              trustedProxies: configuration.trustedProxies)
    return Application(
        responder: DeadlineResponder(responder: router.buildResponder(), deadline: configuration.requestDeadline,
                                     admission: admission),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                             serverName: "Werkstatt"),
        // Shut down in reverse order, after the HTTP server: the writer commits what its
        // last requests queued while the client still runs.
        services: [PostgresClientService(client: client), ballots] + listener + services,
        logger: logger
    )
}

/// Every route of the API, with its middleware. Requests reach it through
/// `DeadlineResponder`, whose `Admission` has established the caller of `/v1` routes.
public func buildRouter(client: PostgresClient, repositories: Repositories? = nil, rateLimit: RateLimit = .standard,
                        clock: any MonotonicClock = SystemClock(), logger: Logger) -> Router<AppRequestContext> {
    let repositories = repositories ?? Repositories(postgres: client, logger: logger)
    let useCases = UseCases(repositories: repositories)
    let exports = Exports(repositories: repositories)
    let router = Router(context: AppRequestContext.self)
    let routeTable = RouteTable()
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: AllowedMethodsMiddleware(table: routeTable))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: LogRequestsMiddleware(.debug))

    OperationsController(client: client).addRoutes(to: router)
    PublicReportController(workshops: repositories.workshops, exports: exports).addRoutes(to: router)

    let v1 = router.group("v1").add(middleware: TokenRateLimitMiddleware(limiter: RateLimiter(limit: rateLimit, clock: clock)))
    WorkshopsController(useCases: useCases).addRoutes(to: v1)
    OrganisationsController(organisations: repositories.organisations).addRoutes(to: v1)
    MembersController(useCases: useCases).addRoutes(to: v1)
    SetupController(useCases: useCases).addRoutes(to: v1)
    ThesesController(useCases: useCases).addRoutes(to: v1)
    CommentsController(useCases: useCases).addRoutes(to: v1)
    RecommendationsController(useCases: useCases).addRoutes(to: v1)
    RoundsController(useCases: useCases, exports: exports, rendered: RenderedSnapshots()).addRoutes(to: v1)
    ImplementationController(useCases: useCases, exports: exports).addRoutes(to: v1)
    MeasuresController(useCases: useCases).addRoutes(to: v1)
    OpinionMapController(exports: exports, access: useCases.access).addRoutes(to: v1)
    routeTable.load(router)
    return router
}

/// Runs a `PostgresClient` as a lifecycle service.
public struct PostgresClientService: Service {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await client.run()
        }
    }
}
