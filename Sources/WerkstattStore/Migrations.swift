import Crypto
import Foundation

/// One schema migration: a numbered plain-SQL file from `sql/`.
public struct Migration: Sendable, Equatable {
    public var name: String
    public var sql: String

    /// Hex SHA-256 of the file's text: an applied migration whose file changed is refused.
    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The migrations compiled into this binary, in file-name order.
    public static let embedded: [Migration] = embeddedMigrations.map { Migration(name: $0.name, sql: $0.text) }

    /// The file's statements, one by one: PostgresNIO's extended protocol runs one at a time.
    public var statements: [String] { SQLSplitter.statements(in: sql) }
}
