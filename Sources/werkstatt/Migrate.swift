import ArgumentParser
import WerkstattStore

/// `werkstatt migrate`: applies the schema migrations compiled into this binary.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database schema migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            let applied = try await database.withClient { client, logger in
                try await Migrator(client: client, logger: logger).migrate()
            }
            print(applied.isEmpty ? "schema is up to date (\(Migration.embedded.count) migrations)"
                                  : "applied \(applied.joined(separator: ", "))")
        }
    }
}

/// Prints a failure as `werkstatt: <reason>` and exits 1, instead of a stack trace.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CommandFailure {
        throw ValidationFailure(error.message)
    } catch let error as DatabaseURL.Failure {
        throw ValidationFailure(error.description)
    } catch let error as Migrator.Failure {
        throw ValidationFailure(error.description)
    }
}

/// What ArgumentParser prints as `Error: <message>` with exit code 1.
struct ValidationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
