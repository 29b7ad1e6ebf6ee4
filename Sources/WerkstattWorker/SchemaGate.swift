import Logging
import PostgresNIO
import WerkstattStore

/// Holds a service back until the database has every migration this binary knows:
/// only the HTTP server waits for `beforeServerStarts`, the worker starts at once.
enum SchemaGate {
    static func waitUntilCurrent(client: PostgresClient, logger: Logger) async throws {
        let migrator = Migrator(client: client, logger: logger)
        var announced = false
        while true {
            let waitingFor: String
            do {
                let pending = try await migrator.pending()
                if pending.isEmpty { return }
                waitingFor = pending.joined(separator: ", ")
            } catch let failure as Migrator.Failure {
                throw failure  // edited or unknown migrations: waiting would not help
            } catch {
                waitingFor = "the database (\(error))"
            }
            if !announced {
                logger.info("waiting for the schema to be migrated", metadata: ["waiting for": "\(waitingFor)"])
                announced = true
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}
