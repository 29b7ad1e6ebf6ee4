import ArgumentParser
import WerkstattStore

/// `werkstatt token create --admin` and `werkstatt token revoke TOKEN`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create or revoke tokens.",
        subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new admin token (only its hash is stored).")

        @Flag(help: "Create an installation admin token.") var admin = false
        @Option(help: "A note on who holds the token.") var label: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard admin else {
                throw ValidationError("only admin tokens are created here (--admin); members get theirs from the API")
            }
        }

        func run() async throws {
            try await reportingFailures {
                let token = try await database.withClient { client, logger in
                    try await PostgresTokenRepository(client: client, logger: logger).createAdminToken(label: label)
                }
                print(token)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an admin or member token.")

        @Argument(help: "The token to revoke.") var token: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let revoked = try await database.withClient { client, logger in
                    try await PostgresTokenRepository(client: client, logger: logger).revoke(token: token)
                }
                guard revoked else { throw CommandFailure("no live token matched") }
                print("revoked")
            }
        }
    }
}
