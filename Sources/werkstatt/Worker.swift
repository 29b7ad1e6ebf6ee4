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
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            let url = try database.url()
            let logger = database.logger()
            try await url.probe(logger: logger)
            let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
            let worker = AggregationWorker(client: client, logger: logger, sweepInterval: .seconds(sweep))
            let group = ServiceGroup(
                services: [PostgresClientService(client: client), worker],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
            try await group.run()
        }
    }
}
