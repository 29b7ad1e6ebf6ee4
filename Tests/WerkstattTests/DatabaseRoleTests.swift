import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
import WerkstattAPI
@testable import WerkstattStore

/// The runtime role of `werkstatt migrate --runtime-role` (RuntimeRole.swift): the service
/// and the worker run as it, and it cannot change or remove the history, even by going
/// around the append-only triggers.
@Suite("Database roles")
struct DatabaseRoleTests {
    @Test("the SCRAM verifier is the one PostgreSQL accepts for the password")
    func scramVerifier() {
        // Computed independently (Python's hashlib.pbkdf2_hmac and hmac), and a role created
        // with it logs in to PostgreSQL 15 with this password and no other.
        let salt = (0..<16).map { UInt8($0) }
        #expect(RuntimeRole.scramVerifier(password: "pencil-pencil-pencil", salt: salt, iterations: 4096)
                == "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$lXeU9qd8OZsDhFasZhyDq6HSRmH8iWvAI+F01Zq9uoA=:zLiv6nz7pwJBkYjC4d+2suKjTBfvQF7M2kHKoxY5q98=")
    }

    @Test("role names and passwords are checked before anything reaches the database")
    func validation() {
        for name in ["", "Werkstatt", "app-role", "pg_app", "1app", "app\"; DROP TABLE ballots; --", String(repeating: "a", count: 64)] {
            #expect(throws: RuntimeRole.Failure.self, "\(name)") { try RuntimeRole(name: name) }
        }
        #expect(throws: Never.self) { try RuntimeRole(name: "werkstatt_app") }
        for password in ["short", "pässwort-pässwort-pässwort", "line\nbreak-line-break-line"] {
            #expect(throws: RuntimeRole.Failure.self, "\(password)") { try RuntimeRole.validate(password: password) }
        }
        #expect(throws: Never.self) { try RuntimeRole.validate(password: Token.generate()) }
    }

    @Test("the runtime role runs the API and the worker, and cannot change, empty or drop the history")
    func runtimeRole() async throws {
        try await TestDatabase.withFreshDatabase { url in
            // Roles belong to the whole cluster: a name of its own, dropped at the end.
            let name = "werkstatt_rt_\(UUID().uuidString.prefix(8).lowercased())"
            let role = try RuntimeRole(name: name)
            let password = Token.generate()
            var runtimeURL = url
            runtimeURL.username = name
            runtimeURL.password = password
            let runtime = runtimeURL
            do {
                try await Self.withClient(url) { owner in
                    let first = try await role.apply(password: password, client: owner, logger: TestDatabase.logger)
                    #expect(first.created)
                    // A grant made by hand since (or by default privileges) is gone after the
                    // next migrate, which only grants: the role exists, its password stays.
                    try await owner.query(PostgresQuery(unsafeSQL: "GRANT UPDATE, DELETE, TRUNCATE ON ballot_history TO \(name)"),
                                          logger: TestDatabase.logger)
                    let again = try await role.apply(password: password, client: owner, logger: TestDatabase.logger)
                    #expect(!again.created)
                    let passwordKept = again.warnings.contains(where: { $0.contains("password was left") })
                    #expect(passwordKept, "\(again.warnings)")
                    // The owner (a superuser here) is never taken for a runtime role.
                    await #expect(throws: RuntimeRole.Failure.self) {
                        try await RuntimeRole(name: url.username).apply(password: nil, client: owner, logger: TestDatabase.logger)
                    }
                }

                try await Self.runAPI(as: runtime) { api in
                    // The admin token (as `werkstatt token create`), a workshop with members, a
                    // round and ballots through the API, the worker's snapshots, the final
                    // count's audit text: everything the services write, as the runtime role.
                    let e = try await Election.make(api)
                    let round = try await e.round(api, ["method": "dot"])
                    for group in ["industry", "union", "science"] {
                        try await e.vote(api, in: round, group: group, ["points": ["A": 3, "B": 2]])
                    }
                    let ranking = try await e.ranking(api, of: round)
                    #expect(ranking["items"]?.array.count == 3, "\(ranking)")
                    let audit = try await api.get("/v1/rounds/\(round)/audit", token: e.scenario.moderator)
                    #expect(audit.status == .ok, "\(audit.text)")
                    #expect(try await Migrator(client: api.database, logger: TestDatabase.logger).pending().isEmpty)
                    for table in ["ballot_history", "ranking_snapshots", "snapshot_audits", "audit_log"] {
                        let rows = try await api.database.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"),
                                                                logger: TestDatabase.logger)
                        for try await count in rows.decode(Int64.self) { #expect(count > 0, "\(table) is empty") }
                    }

                    // Refused by privileges (42501, "permission denied …" or "must be owner …"),
                    // not by the append-only triggers, which an owner could disable.
                    let forbidden = [
                        "DELETE FROM ranking_snapshots",
                        "DELETE FROM ballot_history",
                        "UPDATE ballot_history SET version = version",
                        "TRUNCATE ballot_history",
                        "ALTER TABLE ballot_history DISABLE TRIGGER ballot_history_append_only",
                        "DROP TABLE ballot_history",
                        "UPDATE ranking_snapshots SET published = published",
                        "UPDATE ranking_snapshots SET shown = true",
                        "TRUNCATE ranking_snapshots, snapshot_audits",
                        "DELETE FROM snapshot_audits",
                        "UPDATE audit_log SET action = action",
                        "DELETE FROM audit_log",
                        "INSERT INTO schema_migrations (name, checksum) VALUES ('999_fake.sql', 'x')",
                        "DELETE FROM schema_migrations",
                        "TRUNCATE round_changes",
                        "CREATE TABLE intruder (x integer)",
                        "SET ROLE \(url.username)",
                    ]
                    for statement in forbidden {
                        let refusal = await Self.refusal(statement, on: api.database)
                        let message = refusal?.message ?? "allowed"
                        let byPrivileges = message.hasPrefix("permission denied") || message.hasPrefix("must be owner")
                        #expect(refusal?.state == "42501", "\(statement): \(message)")
                        #expect(byPrivileges, "\(statement): \(message)")
                    }
                    // What retention and readers change goes through sql/015's functions,
                    // which make exactly those changes and nothing else.
                    let pruned = try await api.database.query(
                        "SELECT prune_ranking_snapshots(now() + interval '1 day', 100) AS pruned", logger: TestDatabase.logger)
                    #expect(try await pruned.all { try $0.get("pruned", as: Int32.self) }.count == 1)
                    #expect(try await e.ranking(api, of: round)["items"]?.array.count == 3)
                    let owned = try await api.database.query("""
                        SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                        """, logger: TestDatabase.logger)
                    for try await count in owned.decode(Int64.self) { #expect(count == 0, "the runtime role owns relations") }
                }

                try await Self.withClient(url) { owner in
                    // A grant to PUBLIC, even of one column, would give the role what the
                    // revokes took away: refused, and nothing changes.
                    try await owner.query("GRANT UPDATE (member_id) ON ballot_history TO PUBLIC", logger: TestDatabase.logger)
                    await #expect(throws: RuntimeRole.Failure.self) {
                        try await role.apply(password: nil, client: owner, logger: TestDatabase.logger)
                    }
                    try await owner.query("REVOKE UPDATE (member_id) ON ballot_history FROM PUBLIC", logger: TestDatabase.logger)
                    try await Self.drop(name, on: owner)
                }
            } catch {
                try? await Self.withClient(url) { owner in try await Self.drop(name, on: owner) }
                throw error
            }
        }
    }

    /// The SQLSTATE and message a statement fails with, or nil when it succeeds.
    static func refusal(_ sql: String, on client: PostgresClient) async -> (state: String, message: String)? {
        do {
            try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
            return nil
        } catch let error as PSQLError {
            return (error.serverInfo?[.sqlState] ?? "?", error.serverInfo?[.message] ?? String(reflecting: error))
        } catch {
            return ("?", String(reflecting: error))
        }
    }

    /// Removes the role's privileges in this database, then the role.
    static func drop(_ role: String, on owner: PostgresClient) async throws {
        try await owner.query(PostgresQuery(unsafeSQL: "DROP OWNED BY \(role)"), logger: TestDatabase.logger)
        try await owner.query(PostgresQuery(unsafeSQL: "DROP ROLE \(role)"), logger: TestDatabase.logger)
    }

    /// A running client for `url` for the duration of `body`.
    static func withClient<T: Sendable>(_ url: DatabaseURL, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: TestDatabase.poolLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// `TestAPI.run`, with the application connected as `url`'s role.
    static func runAPI(as url: DatabaseURL, _ body: @Sendable (TestAPI) async throws -> Void) async throws {
        let database = PostgresClient(configuration: url.configuration, backgroundLogger: TestDatabase.poolLogger)
        let app = buildApplication(configuration: TestAPI.configuration, client: database, logger: TestDatabase.logger)
        try await app.test(.router) { client in
            let admin = try await PostgresTokenRepository(client: database, logger: TestDatabase.logger)
                .createAdminToken(label: "tests")
            try await body(TestAPI(client: client, admin: admin, database: database))
        }
    }
}
