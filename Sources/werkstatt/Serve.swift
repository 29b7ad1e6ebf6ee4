import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import WerkstattAPI
import WerkstattStore
import WerkstattWorker

/// `werkstatt serve`: the HTTP API (and, with `--with-worker`, the aggregation worker).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (default: $PORT or 8080).") var port: Int?
    @Flag(help: "Apply pending migrations before serving.") var migrate = false
    @Option(name: .customLong("request-timeout"), help: "Seconds after which a request is answered 503 (default 4.5).")
    var requestTimeout = 4.5
    @Option(name: .customLong("rate-limit"), help: "Requests a second allowed per token (bursts of twice as many).")
    var rateLimit = 100.0
    @Option(name: .customLong("address-rate-limit"),
            help: "Requests a second allowed per client address, before authentication (bursts of twice as many).")
    var addressRateLimit = RateLimit.perAddress.rate
    @Option(name: .customLong("trusted-proxy"),
            help: "IP address of a reverse proxy whose X-Forwarded-For names the client (repeatable).")
    var trustedProxies: [String] = []
    @Option(name: .customLong("token-cache-ttl"),
            help: "Seconds a token's holder is kept in memory, dropped at once when the token changes (default 5; 0: none).")
    var tokenCacheTTL = AppConfiguration.defaultTokenCacheTTL.seconds
    @Option(name: .customLong("metrics-host"), help: "Address of the /metrics listener.") var metricsHost = "127.0.0.1"
    @Option(name: .customLong("metrics-port"), help: "Port of the /metrics listener (default: --port + 1000; 0: none).")
    var metricsPort: Int?
    @Flag(name: .customLong("with-worker"), help: "Also run the aggregation worker in this process.")
    var withWorker = false
    @OptionGroup var retention: RetentionOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (0...60).contains(tokenCacheTTL) else {
            throw ValidationError("--token-cache-ttl must be from 0 to 60 seconds")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let url = try database.url()
            let logger = database.logger()
            let port = port ?? ProcessInfo.processInfo.environment["PORT"].flatMap(Int.init) ?? 8080
            try await url.probe(logger: logger)
            let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
            // The worker waits for the schema on its own (SchemaGate): only the HTTP server
            // waits for `beforeServerStarts`.
            var services: [any Service] = withWorker
                ? [AggregationWorker(client: client, logger: logger, pause: AggregationWorker.defaultPause,
                                     retention: retention.retention)] : []
            let metricsPort = metricsPort ?? port + 1000
            if metricsPort != 0 {
                services.append(buildMetricsApplication(host: metricsHost, port: metricsPort, logger: logger))
            }
            let configuration = AppConfiguration(
                host: host, port: port, requestDeadline: .seconds(requestTimeout),
                rateLimit: .init(rate: rateLimit, burst: 2 * rateLimit),
                addressRateLimit: .init(rate: addressRateLimit, burst: 2 * addressRateLimit),
                trustedProxies: Set(trustedProxies), tokenCacheTTL: .seconds(tokenCacheTTL))
            var app = buildApplication(configuration: configuration, client: client, services: services, logger: logger)
            let migrate = migrate
            // The server starts only once the schema is known to be current.
            app.beforeServerStarts {
                let migrator = Migrator(client: client, logger: logger)
                if migrate { try await migrator.migrate() }
                let pending = try await migrator.pending()
                if !pending.isEmpty {
                    throw CommandFailure("migration(s) pending (\(pending.joined(separator: ", "))): "
                                         + "run `werkstatt migrate` (or serve --migrate)")
                }
                logger.info("serving", metadata: ["database": "\(url)", "port": "\(port)"])
            }
            try await app.runService()
        }
    }
}
