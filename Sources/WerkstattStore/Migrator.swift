import Foundation
import Logging
import PostgresNIO

/// Applies the embedded migrations in order, each in its own transaction, under an
/// advisory lock so that two processes migrating at once take turns.
public struct Migrator: Sendable {
    /// Why migrating stopped.
    public enum Failure: Error, CustomStringConvertible {
        case edited(name: String)
        case unknownApplied(name: String)

        public var description: String {
            switch self {
            case .edited(let name):
                "migration \(name) was edited after it was applied; add a new migration instead"
            case .unknownApplied(let name):
                "the database has migration \(name) applied, which this binary does not know; run a newer werkstatt"
            }
        }
    }

    /// An arbitrary constant naming Werkstatt's migration lock.
    static let lockKey: Int64 = 0x5765_726B_7374_6174

    let client: PostgresClient
    let migrations: [Migration]
    let logger: Logger

    public init(client: PostgresClient, migrations: [Migration] = Migration.embedded, logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is missing and returns the names of the migrations it applied.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await client.withConnection { connection in
            // A session-level lock on this one connection, held across the per-file
            // transactions; released in every case before the connection returns to the pool.
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await apply(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Names and checksums of the migrations the database has recorded.
    public func applied() async throws -> [String: String] {
        try await client.withConnection { try await recorded(on: $0) }
    }

    /// Names of the migrations this binary would apply; throws `Failure` when the
    /// database has one edited since or one this binary does not know.
    public func pending() async throws -> [String] {
        try unapplied(given: try await applied()).map(\.name)
    }

    /// The migrations not yet recorded, checking those that are.
    private func unapplied(given recorded: [String: String]) throws -> [Migration] {
        let known = Set(migrations.map(\.name))
        if let stranger = recorded.keys.sorted().first(where: { !known.contains($0) }) {
            throw Failure.unknownApplied(name: stranger)
        }
        return try migrations.filter { migration in
            guard let checksum = recorded[migration.name] else { return true }
            guard checksum == migration.checksum else { throw Failure.edited(name: migration.name) }
            return false
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> [String] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name       text PRIMARY KEY,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var appliedNow: [String] = []
        for migration in try unapplied(given: try await recorded(on: connection)) {
            try await connection.withTransaction(logger: logger) { tx in
                for statement in migration.statements {
                    try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await tx.query(
                    "INSERT INTO schema_migrations (name, checksum) VALUES (\(migration.name), \(migration.checksum))",
                    logger: logger)
            }
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            appliedNow.append(migration.name)
        }
        return appliedNow
    }

    private func recorded(on connection: PostgresConnection) async throws -> [String: String] {
        let exists = try await connection.query(
            "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        for try await (present) in exists.decode(Bool.self) where !present { return [:] }
        var result: [String: String] = [:]
        let rows = try await connection.query("SELECT name, checksum FROM schema_migrations", logger: logger)
        for try await (name, checksum) in rows.decode((String, String).self) { result[name] = checksum }
        return result
    }
}
