import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import WerkstattStore

/// Where the database is and how much to log; shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "PostgreSQL URL (default: $DATABASE_URL, else the private cluster in .werkstatt/pg).")
    var databaseURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (default: $LOG_LEVEL or info).")
    var logLevel: String?

    /// A logger at the chosen level.
    func logger(_ label: String = "werkstatt") -> Logger {
        var logger = Logger(label: label)
        let level = logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"
        logger.logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        return logger
    }

    /// The database URL from the flag, the environment, or the private cluster.
    func url() throws -> DatabaseURL {
        if let text = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], !text.isEmpty {
            return try DatabaseURL(text)
        }
        let file = URL(fileURLWithPath: ".werkstatt/pg/url")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw CommandFailure("no database: set DATABASE_URL, or start the private cluster with `make db-start`")
        }
        return try DatabaseURL(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs `body` with a connected client, and fails with one clear line when the
    /// database cannot be reached.
    func withClient<T: Sendable>(_ body: @Sendable (PostgresClient, Logger) async throws -> T) async throws -> T {
        let url = try url()
        let logger = logger()
        try await url.probe(logger: logger)
        // The pool's own chatter (such as leasing before run() has started) is noise for a one-shot command.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: poolLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client, logger)
        }
    }
}

/// A failure reported as one line, without a stack trace.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
