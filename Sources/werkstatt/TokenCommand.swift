import ArgumentParser
import Foundation
import WerkstattDomain
import WerkstattStore

/// `werkstatt token …`: admin tokens, named by id; a token's text never appears on a
/// command line (where `ps` and shell histories would keep it), only in the output of
/// `create` and `rotate`, and on standard input for `revoke --stdin`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list, rotate or revoke tokens.",
        subcommands: [Create.self, List.self, Rotate.self, Revoke.self])

    /// `--expires-at` as an RFC 3339 time.
    static func expiry(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let date = Date(rfc3339: text) else {
            throw ValidationError("--expires-at must be an RFC 3339 time such as 2027-06-30T23:59:59Z")
        }
        return date
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new admin token (only its hash is stored) and, on standard error, its id.")

        @Flag(help: "Create an installation admin token.") var admin = false
        @Option(help: "A note on who holds the token.") var label: String?
        @Option(name: .customLong("expires-at"), help: "When the token stops working (RFC 3339); default: never.")
        var expiresAt: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard admin else {
                throw ValidationError("only admin tokens are created here (--admin); members get theirs from the API")
            }
            _ = try TokenCommand.expiry(expiresAt)
        }

        func run() async throws {
            let expiry = try TokenCommand.expiry(expiresAt)
            try await reportingFailures {
                let issued = try await database.withClient { client, logger in
                    try await PostgresTokenRepository(client: client, logger: logger)
                        .createAdminToken(label: label, expiresAt: expiry)
                }
                FileHandle.standardError.write(Data("admin token \(issued.id.text)\n".utf8))
                print(issued.token)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the admin tokens (ids, never their text).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let tokens = try await database.withClient { client, logger in
                    try await PostgresTokenRepository(client: client, logger: logger).adminTokens()
                }
                func time(_ date: Date?) -> String { date?.formatted(.iso8601) ?? "-" }
                print("id                                    created               expires               revoked               label")
                for token in tokens {
                    print([token.id.text, time(token.createdAt), time(token.expiresAt), time(token.revokedAt), token.label ?? ""]
                        .map { $0.padding(toLength: max($0.count, 21), withPad: " ", startingAt: 0) }.joined(separator: " "))
                }
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace an admin token by a new one with the same id; prints the new token.")

        @Option(help: "The admin token's id (see `werkstatt token list`).") var id: String
        @Option(name: .customLong("expires-at"), help: "When the new token stops working (RFC 3339); default: never.")
        var expiresAt: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let tokenId = UUID(uuidString: id) else { throw ValidationError("--id must be a token id (a UUID)") }
            let expiry = try TokenCommand.expiry(expiresAt)
            try await reportingFailures {
                let issued = try await database.withClient { client, logger in
                    try await PostgresTokenRepository(client: client, logger: logger)
                        .rotateAdminToken(tokenId, expiresAt: expiry, by: .commandLine)
                }
                guard let issued else { throw CommandFailure("no admin token has the id \(id)") }
                print(issued.token)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an admin token by id, or any token read from standard input.",
            discussion: "Member tokens are revoked by a moderator through the API (DELETE /v1/members/{id}/token).")

        @Option(help: "The admin token's id (see `werkstatt token list`).") var id: String?
        @Flag(help: "Read the token to revoke from standard input (for a token that leaked).") var stdin = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard (id != nil) != stdin else { throw ValidationError("give either --id ID or --stdin") }
        }

        func run() async throws {
            let token = stdin ? readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) ?? "" : nil
            if stdin, token?.isEmpty != false { throw ValidationError("no token on standard input") }
            let tokenId = try id.map { text in
                guard let value = UUID(uuidString: text) else { throw ValidationError("--id must be a token id (a UUID)") }
                return value
            }
            try await reportingFailures {
                let revoked = try await database.withClient { client, logger in
                    let tokens = PostgresTokenRepository(client: client, logger: logger)
                    if let tokenId { return try await tokens.revokeAdminToken(tokenId, by: .commandLine) }
                    return try await tokens.revoke(token: token ?? "", by: .commandLine)
                }
                guard revoked else { throw CommandFailure("no live token matched") }
                print("revoked")
            }
        }
    }
}
