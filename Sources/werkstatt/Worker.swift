import ArgumentParser
import Logging
import PostgresNIO
import ServiceLifecycle
import WerkstattAPI
import WerkstattStore
import WerkstattWorker

/// `werkstatt worker`: the aggregation worker on its own; run as many as you like.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the aggregation worker that computes rankings.")

    @Option(help: "Seconds between sweeps for dirty rounds, besides NOTIFY wake-ups.") var sweep: Int = 5
    @Flag(help: "Compute every dirty round once, print how long each took, and exit.") var once = false
    @Option(help: "Least milliseconds to rest after each snapshot, so bursts of ballots share one recomputation (the rest is ten times the computation's time, up to 1 s).")
    var pause = 250
    @OptionGroup var retention: RetentionOptions
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        if once { return try await runOnce() }
        try await reportingFailures {
            let url = try database.url()
            let logger = database.logger()
            try await url.probe(logger: logger)
            let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
            let worker = AggregationWorker(client: client, logger: logger, sweepInterval: .seconds(sweep),
                                           pause: .milliseconds(pause),
                                           retention: retention.retention)
            let group = ServiceGroup(
                services: [PostgresClientService(client: client), worker],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
            try await group.run()
        }
    }

    private func runOnce() async throws {
        try await reportingFailures {
            try await database.withClient { client, logger in
                let computation = SnapshotComputation(client: client, logger: logger)
                while let outcome = try await computation.computeOne() {
                    func ms(_ d: Duration) -> String { String(format: "%.1f", d.seconds * 1000) }
                    print("round \(outcome.round.uuidString.lowercased()): \(outcome.ballots) ballots, "
                          + "load \(ms(outcome.loading)) ms, count \(ms(outcome.counting)) ms, total \(ms(outcome.total)) ms"
                          + (outcome.provisional ? "" : " (final)"))
                }
            }
        }
    }
}
