import Foundation
import Logging
import PostgresNIO
import WerkstattStore

/// Databases for tests on the real PostgreSQL that `make test` starts (DATABASE_URL).
///
/// The schema is migrated once into a template database; each test gets a fresh copy
/// (`CREATE DATABASE … TEMPLATE`), which takes milliseconds, and drops it afterwards.
enum TestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "werkstatt-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// For the clients' own (background) logging: errors only. A test's first query often
    /// comes a moment before the task running its client has started it; the query waits
    /// for it, and PostgresNIO warns of the wait each time (some 180 lines a run).
    static let poolLogger: Logger = {
        var logger = Self.logger
        logger.logLevel = .error
        return logger
    }()

    /// The server the tests run against.
    static var serverURL: DatabaseURL {
        get throws {
            guard let text = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
                throw SetupError("DATABASE_URL is not set: run the tests with `make test`")
            }
            return try DatabaseURL(text)
        }
    }

    /// The migrated template, made once per test process.
    private static let template = Task<String, any Error> {
        let name = "werkstatt_template_\(ProcessInfo.processInfo.processIdentifier)"
        try await admin("DROP DATABASE IF EXISTS \(name)")
        try await admin("CREATE DATABASE \(name)")
        try await withClient(database: name) { client in
            try await Migrator(client: client, logger: logger).migrate()
        }
        return name
    }

    /// Runs `body` with a fresh, migrated database of its own; `body` makes its own client.
    static func withFreshDatabase<T: Sendable>(_ body: @Sendable (DatabaseURL) async throws -> T) async throws -> T {
        let template = try await template.value
        let name = "werkstatt_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await admin("CREATE DATABASE \(name) TEMPLATE \(template)")
        do {
            let result = try await body(try serverURL.with(database: name))
            try await admin("DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            try? await admin("DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs `body` with a client on an empty database (no migrations), for migration tests.
    static func withEmptyDatabase<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let name = "werkstatt_empty_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await admin("CREATE DATABASE \(name)")
        do {
            let result = try await withClient(database: name, body)
            try await admin("DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            try? await admin("DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// A running client on `database` for the duration of `body`.
    static func withClient<T: Sendable>(database: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try serverURL.with(database: database).configuration,
                                    backgroundLogger: poolLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Runs one statement on the server's own database (CREATE/DROP DATABASE).
    private static func admin(_ sql: String) async throws {
        let url = try serverURL
        try await withClient(database: url.database) { client in
            try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }
}

struct SetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
