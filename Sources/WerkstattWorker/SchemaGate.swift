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
            let applied = (try? await migrator.applied().count) ?? 0
            if applied >= Migration.embedded.count { return }
            if !announced {
                logger.info("waiting for the schema to be migrated", metadata: [
                    "applied": "\(applied)", "known": "\(Migration.embedded.count)"])
                announced = true
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}
