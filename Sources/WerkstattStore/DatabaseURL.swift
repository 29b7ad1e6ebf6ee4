import Foundation
import Logging
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` URL as client configuration.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        case unreachable(String)

        public var description: String {
            switch self {
            case .malformed(let reason):
                "DATABASE_URL is malformed: \(reason); expected postgres://user[:password]@host[:port]/database"
            case .unreachable(let reason):
                reason
            }
        }
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: String

    public init(_ text: String) throws(Failure) {
        guard let components = URLComponents(string: text) else { throw .malformed("not a URL") }
        guard let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw .malformed("the scheme must be postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else { throw .malformed("no host") }
        // URLComponents decodes user, password and path already: decoding them again
        // would turn a literal "%41" in a password into "A".
        guard let user = components.user, !user.isEmpty else { throw .malformed("no user name") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw .malformed("no database name") }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user
        self.password = components.password
        self.database = database
        self.sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw .malformed("sslmode must be disable, prefer or require")
        }
    }

    /// The same server with another database, e.g. for per-test databases.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// Where the URL points, without the password.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// PostgresNIO client configuration for this URL.
    public var configuration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch sslMode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 40
        return configuration
    }
}

extension DatabaseURL {
    /// Connects once, outside any pool, and runs `SELECT 1`; throws a one-line reason
    /// (refused, unknown host, no such database, wrong password …) when that fails.
    public func probe(logger: Logger) async throws(Failure) {
        // The same modes as `configuration`; TLS that cannot be set up is an error, never
        // a silent fall-back to plain text.
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = switch sslMode {
            case "disable": .disable
            case "require": .require(try .init(configuration: .makeClientConfiguration()))
            default: .prefer(try .init(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw .unreachable("cannot set up TLS for PostgreSQL at \(self): \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            defer { Task { try? await connection.close() } }
            _ = try await connection.query("SELECT 1", logger: logger).collect()
        } catch {
            throw .unreachable("cannot reach PostgreSQL at \(self): \(Self.reason(error))")
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            let underlying = psql.underlying.map { String(describing: $0) } ?? "\(psql.code)"
            for (needle, text) in [("refused", "connection refused"), ("imed out", "connection timed out"),
                                   ("onnectTimeout", "connection timed out"), ("resolve", "unknown host"),
                                   ("NXDOMAIN", "unknown host"), ("SSL", "TLS negotiation failed")]
            where underlying.contains(needle) {
                return text
            }
            return underlying
        }
        return String(describing: error)
    }
}
