import ArgumentParser
import Foundation
import PostgresNIO
import WerkstattRules
import WerkstattStore

/// `werkstatt migrate`: applies the schema migrations compiled into this binary and, with
/// `--runtime-role`, sets up the role `serve` and `worker` run as (`RuntimeRole`).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the database schema migrations.",
        discussion: """
            Run it as the role that owns the schema. With --runtime-role it then creates the \
            role the services run as, if missing, and grants it what they need and no more: \
            it owns nothing and may only append to ballot_history, ranking_snapshots, \
            snapshot_audits and audit_log (docs/operations.md, "Database roles").
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("database-url-file"),
            help: "Read the database URL from this file instead (the owner's: it stays out of the environment and off the command line).")
    var databaseURLFile: String?

    @Option(name: .customLong("runtime-role"),
            help: "After migrating, create this role if missing and grant it what serve and worker need (again on every run).")
    var runtimeRole: String?

    @Option(name: .customLong("runtime-password-file"),
            help: "File holding the runtime role's password, for creating the role; an existing role keeps its password.")
    var runtimePasswordFile: String?

    func validate() throws {
        if databaseURLFile != nil, database.databaseURL != nil {
            throw ValidationError("give --database-url or --database-url-file, not both")
        }
        if runtimePasswordFile != nil, runtimeRole == nil {
            throw ValidationError("--runtime-password-file goes with --runtime-role")
        }
        if let runtimeRole {
            do {
                _ = try RuntimeRole(name: runtimeRole)
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    func run() async throws {
        try await reportingFailures {
            var options = database
            if let databaseURLFile {
                options.databaseURL = try Self.read(databaseURLFile, what: "the database URL")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let role: RuntimeRole? = try runtimeRole.map { try RuntimeRole(name: $0) }
            // Never from the command line, where every local user sees it (`ps`).
            let password: String? = try runtimePasswordFile.map {
                try Self.read($0, what: "the runtime role's password").trimmingCharacters(in: .newlines)
            }
            let result: ([String], RuntimeRole.Outcome?)
            do {
                result = try await options.withClient { client, logger in
                    let applied = try await Migrator(client: client, logger: logger).migrate()
                    // After the migrations, so the grants cover every table they made.
                    let outcome = try await role?.apply(password: password, client: client, logger: logger)
                    return (applied, outcome)
                }
            } catch {
                // E.g. `permission denied for schema public`: the runtime role's URL.
                if let psql = StoreError.unwrapping(error) as? PSQLError, psql.serverInfo?[.sqlState] == "42501" {
                    throw CommandFailure("\(psql.serverInfo?[.message] ?? "permission denied"): "
                                         + "migrate as the role that owns the schema (the runtime role cannot)")
                }
                throw error
            }
            let (applied, outcome) = result
            print(applied.isEmpty ? "schema is up to date (\(Migration.embedded.count) migrations)"
                                  : "applied \(applied.joined(separator: ", "))")
            if let role, let outcome {
                print(outcome.created ? "runtime role \(role.name): created and granted"
                                      : "runtime role \(role.name): grants renewed")
                for warning in outcome.warnings {
                    FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
                }
            }
        }
    }

    /// The text of the file at `path`, or a one-line failure.
    static func read(_ path: String, what: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("cannot read \(what) from \(path): \(error.localizedDescription)")
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
    } catch let error as RuntimeRole.Failure {
        throw ValidationFailure(error.description)
    } catch let error as RuleError {
        // A rule of the workshop refused: say which, and exit with its code (docs/operations.md).
        FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
        throw ExitCode(error.exitCode)
    }
}

extension RuleError {
    /// The command line's exit code for a refusal: 3 when a role, the phase or a state does
    /// not allow it, 4 for something that does not exist, 65 (EX_DATAERR) for bad input.
    var exitCode: Int32 {
        switch self {
        case .forbidden, .phase, .conflict: 3
        case .notFound: 4
        case .invalid: 65
        }
    }
}

/// What ArgumentParser prints as `Error: <message>` with exit code 1.
struct ValidationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
