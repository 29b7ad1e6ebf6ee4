import Crypto
import Foundation
import Logging
import PostgresNIO

/// The database role `serve` and `worker` run as, apart from the role that owns the schema.
///
/// Why: the owner of a table may do anything to it, triggers notwithstanding: `ALTER TABLE
/// ballot_history DISABLE TRIGGER …`, `TRUNCATE`, `DROP`. The append-only triggers
/// (sql/002_voting.sql, sql/005_secrecy.sql) only hold against a role that does not own the
/// tables. So the owner migrates, and the services run as a role that owns nothing and may
/// only read and write rows, and only append to the history.
///
/// `werkstatt migrate --runtime-role NAME` calls `apply` as the owner after migrating. It
/// creates the role when it is missing (LOGIN, nothing else), then sets its privileges
/// from scratch, in one transaction, under the migration lock:
///
/// - CONNECT on the database, USAGE on the schema;
/// - SELECT on every table and view;
/// - INSERT and UPDATE on every other table, and DELETE only on `deletableTables` (what
///   the service deletes): a DELETE on a workshop, round or member would cascade, as the
///   owner, into snapshots, audit texts and the audit log;
/// - INSERT only on `appendOnlyTables`: no UPDATE, no DELETE, no TRUNCATE;
/// - nothing more on `readOnlyTables` (`serve` and `worker` only check that no migration
///   is pending);
/// - USAGE, SELECT on sequences (not UPDATE: no `setval`); EXECUTE on functions;
/// - never TRUNCATE, REFERENCES or TRIGGER.
///
/// A ranking snapshot takes two changes, each through a `SECURITY DEFINER` function of
/// sql/015 that makes exactly that change: being marked shown (`mark_ranking_snapshot_shown`)
/// and being pruned by retention (`prune_ranking_snapshots`, which holds the rule).
///
/// That covers every statement of the API, the worker and the commands `token`, `members`,
/// `demo`, `import` and `export`: the worker deletes only from `round_changes`,
/// `round_backoff` and `opinion_map_changes`, and nothing there updates or deletes a row of the append-only tables.
/// Two commands need the owner: `migrate`, and `prune-history`, whose UPDATE of
/// `ballot_history` (member ids of a closed round dropped) is the one change the
/// table's trigger allows; the runtime role cannot make it.
///
/// No `ALTER DEFAULT PRIVILEGES`: a table a later migration adds would get the default
/// grants, UPDATE and DELETE included, before anyone decided whether it is append-only.
/// Instead every `migrate --runtime-role` grants again, explicitly, table by table, and
/// starts by revoking everything (idempotent; it also removes grants made by hand since).
/// A new table without grants fails closed: the service gets "permission denied" until
/// `migrate --runtime-role` has run.
public struct RuntimeRole: Sendable {
    /// Why the runtime role was not set up.
    public enum Failure: Error, CustomStringConvertible {
        case invalidName(String)
        case invalidPassword(String)
        case missingPassword(role: String)
        case cannotCreate(role: String, owner: String)
        case privileged(role: String, reason: String)
        case schema(String)
        case database(String)

        public var description: String {
            switch self {
            case .invalidName(let name):
                "runtime role name '\(name)' is not allowed: lower-case letters, digits and _, starting with a letter or _, at most 63 characters, not pg_…"
            case .invalidPassword(let reason):
                "the runtime role's password \(reason)"
            case .missingPassword(let role):
                "role \(role) does not exist: give --runtime-password-file FILE to create it"
            case .cannotCreate(let role, let owner):
                "role \(role) does not exist, and \(owner) may not create roles: create it as a superuser (CREATE ROLE \(role) LOGIN PASSWORD '…'), then migrate again"
            case .privileged(let role, let reason):
                "role \(role) cannot be the runtime role: \(reason)"
            case .schema(let reason):
                reason
            case .database(let message):
                "setting up the runtime role failed: \(message)"
            }
        }
    }

    /// What `apply` did.
    public struct Outcome: Sendable, Equatable {
        /// Whether the role was created now (else it existed, and its password was left alone).
        public var created: Bool
        /// Things worth an operator's attention that do not make the role unsafe.
        public var warnings: [String]
    }

    /// History and records the service may add to but never change: ballot versions,
    /// ranking snapshots, the audit text behind a final snapshot, the audit log, and the
    /// history of implementation items and measures.
    public static let appendOnlyTables = ["audit_log", "ballot_history", "ranking_snapshots", "snapshot_audits", "opinion_maps",
                                          "implementation_history"]

    /// The only tables the service deletes rows from: the worker's queues of changes and
    /// back-offs.
    public static let deletableTables = ["round_changes", "round_backoff", "opinion_map_changes"]

    /// Tables the service only reads.
    public static let readOnlyTables = ["schema_migrations"]

    /// SCRAM iterations, as PostgreSQL's own default (`scram_iterations`).
    static let iterations = 4096

    public let name: String

    public init(name: String) throws(Failure) {
        guard Self.isValid(name: name) else { throw .invalidName(name) }
        self.name = name
    }

    /// Lower-case letters, digits and `_`: the name needs no quoting anywhere (psql, URLs,
    /// systemd units) and reads the same in `pg_roles`.
    static func isValid(name: String) -> Bool {
        guard let first = name.unicodeScalars.first, (1...63).contains(name.utf8.count),
              !name.hasPrefix("pg_") else { return false }
        let letters: ClosedRange<Unicode.Scalar> = "a"..."z"
        let digits: ClosedRange<Unicode.Scalar> = "0"..."9"
        guard letters.contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { letters.contains($0) || digits.contains($0) || $0 == "_" }
    }

    /// Checks a password before it is used: printable ASCII (PostgresNIO does not apply
    /// SASLprep, which leaves ASCII alone), and long enough to be a random one.
    public static func validate(password: String) throws(Failure) {
        guard password.utf8.count >= 16 else {
            throw .invalidPassword("is shorter than 16 characters; use a random one, e.g. `openssl rand -hex 32`")
        }
        guard password.utf8.count <= 1024 else { throw .invalidPassword("is longer than 1024 characters") }
        guard password.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw .invalidPassword("must be printable ASCII (no control characters, no letters beyond ASCII)")
        }
    }

    /// Creates the role if it is missing (with `password`, which is then required) and
    /// grants it exactly what the services need. Run as the owner of the schema, after
    /// migrating. The password never reaches the server or a log: the role is created with
    /// its SCRAM-SHA-256 verifier, computed here, as psql's `\password` does.
    public func apply(password: String?, client: PostgresClient, logger: Logger) async throws -> Outcome {
        if let password { try Self.validate(password: password) }
        do {
            return try await client.withTransaction(logger: logger) { tx in
                try await apply(password: password, on: tx, logger: logger)
            }
        } catch {
            let cause = StoreError.unwrapping(error)
            if let psql = cause as? PSQLError, let message = psql.serverInfo?[.message] {
                throw Failure.database(message)
            }
            throw cause
        }
    }

    private func apply(password: String?, on tx: PostgresConnection, logger: Logger) async throws -> Outcome {
        // The migration lock: two hosts migrating at once would otherwise race on CREATE
        // ROLE, and concurrent GRANTs on one table fail ("tuple concurrently updated").
        try await tx.query("SELECT pg_advisory_xact_lock(\(Migrator.lockKey))", logger: logger)
        let role = Self.identifier(name)
        let (schema, database, owner, ownerMayCreateRoles) = try await context(on: tx, logger: logger)
        var warnings: [String] = []

        let existing = try await tx.query("""
            SELECT rolsuper, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = \(name)
            """, logger: logger)
        var attributes: (superuser: Bool, createRole: Bool, login: Bool)?
        for try await (superuser, createRole, login) in existing.decode((Bool, Bool, Bool).self) {
            attributes = (superuser: superuser, createRole: createRole, login: login)
        }
        let created: Bool
        if let attributes {
            // A role made by a DBA (or by an earlier migrate): only grants, never its password.
            if attributes.superuser { throw Failure.privileged(role: name, reason: "it is a superuser") }
            if attributes.createRole {
                throw Failure.privileged(role: name, reason: "it has CREATEROLE, so it could make itself a member of the owner")
            }
            if let reason = try await ownership(on: tx, schema: schema, logger: logger) {
                throw Failure.privileged(role: name, reason: reason)
            }
            if !attributes.login { warnings.append("role \(name) has no LOGIN: the services cannot connect as it") }
            if password != nil { warnings.append("role \(name) exists: its password was left as it is") }
            created = false
        } else {
            guard let password else { throw Failure.missingPassword(role: name) }
            guard ownerMayCreateRoles else { throw Failure.cannotCreate(role: name, owner: owner) }
            var generator = SystemRandomNumberGenerator()
            let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let verifier = Self.scramVerifier(password: password, salt: salt, iterations: Self.iterations)
            try await tx.query(PostgresQuery(unsafeSQL: """
                CREATE ROLE \(role) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS \
                PASSWORD \(Self.literal(verifier))
                """), logger: logger)
            logger.info("created the runtime role", metadata: ["role": "\(name)"])
            created = true
        }

        let inSchema = Self.identifier(schema)
        var statements = [
            "GRANT CONNECT ON DATABASE \(Self.identifier(database)) TO \(role)",
            "GRANT USAGE ON SCHEMA \(inSchema) TO \(role)",
            // From scratch: whatever the role could do before (grants by hand, default
            // privileges, an older binary's grants) is gone, in this same transaction.
            "REVOKE ALL ON ALL TABLES IN SCHEMA \(inSchema) FROM \(role)",
            "GRANT SELECT ON ALL TABLES IN SCHEMA \(inSchema) TO \(role)",
        ]
        let tables = try await self.tables(on: tx, schema: schema, logger: logger)
        let missing = Set(Self.appendOnlyTables + Self.readOnlyTables).subtracting(tables)
        guard missing.isEmpty else {
            throw Failure.schema("tables \(missing.sorted().joined(separator: ", ")) are not in schema \(schema): migrate first")
        }
        for table in tables where !Self.readOnlyTables.contains(table) {
            let privileges = Self.appendOnlyTables.contains(table) ? "INSERT"
                : Self.deletableTables.contains(table) ? "INSERT, UPDATE, DELETE" : "INSERT, UPDATE"
            statements.append("GRANT \(privileges) ON TABLE \(inSchema).\(Self.identifier(table)) TO \(role)")
        }
        statements += [
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA \(inSchema) FROM \(role)",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA \(inSchema) TO \(role)",
            "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA \(inSchema) TO \(role)",
        ]
        for statement in statements {
            try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }

        // What counts is what the role can do in the end, through PUBLIC and the roles it
        // belongs to as well: a grant to PUBLIC would undo the revoke above unseen.
        try await verify(on: tx, schema: schema, logger: logger)
        let creates = try await tx.query(
            "SELECT has_schema_privilege(\(name)::name, \(schema)::text, 'CREATE')", logger: logger)
        for try await mayCreate in creates.decode(Bool.self) where mayCreate {
            warnings.append("role \(name) may create objects in schema \(schema) (through PUBLIC?): "
                            + "REVOKE CREATE ON SCHEMA \(schema) FROM PUBLIC")
        }
        return Outcome(created: created, warnings: warnings)
    }

    /// The schema the migrations went into (where `schema_migrations` is), the database,
    /// the connected role and whether it may create roles.
    private func context(on tx: PostgresConnection, logger: Logger) async throws -> (String, String, String, Bool) {
        let rows = try await tx.query("""
            SELECT n.nspname::text, current_database()::text, current_user::text, r.rolsuper OR r.rolcreaterole
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, pg_roles r
             WHERE c.oid = to_regclass('schema_migrations') AND r.rolname = current_user
            """, logger: logger)
        for try await (schema, database, owner, mayCreateRoles) in rows.decode((String, String, String, Bool).self) {
            return (schema, database, owner, mayCreateRoles)
        }
        throw Failure.schema("the database has no schema_migrations table: migrate first")
    }

    /// Why the existing role could act as an owner (tables, the schema, the database, the
    /// connected role through membership), or nil.
    private func ownership(on tx: PostgresConnection, schema: String, logger: Logger) async throws -> String? {
        let rows = try await tx.query("""
            SELECT (SELECT string_agg(c.relname::text, ', ' ORDER BY c.relname) FROM pg_class c
                     WHERE c.relnamespace = n.oid AND pg_has_role(\(name)::name, c.relowner, 'MEMBER')),
                   pg_has_role(\(name)::name, n.nspowner, 'MEMBER'),
                   pg_has_role(\(name)::name, d.datdba, 'MEMBER'),
                   pg_has_role(\(name)::name, current_user, 'MEMBER')
              FROM pg_namespace n, pg_database d
             WHERE n.nspname = \(schema) AND d.datname = current_database()
            """, logger: logger)
        for try await (owned, schemaOwner, databaseOwner, migrator) in rows.decode((String?, Bool, Bool, Bool).self) {
            if let owned { return "it owns (or is a member of the owner of) \(owned)" }
            if schemaOwner { return "it owns (or is a member of the owner of) schema \(schema)" }
            if databaseOwner { return "it owns (or is a member of the owner of) the database" }
            if migrator { return "it is, or is a member of, the role migrating now" }
        }
        return nil
    }

    /// Ordinary and partitioned tables of the schema, by name.
    private func tables(on tx: PostgresConnection, schema: String, logger: Logger) async throws -> [String] {
        let rows = try await tx.query("""
            SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p') ORDER BY c.relname
            """, logger: logger)
        var tables: [String] = []
        for try await table in rows.decode(String.self) { tables.append(table) }
        return tables
    }

    /// Fails (rolling everything back) if the role can change what must only grow.
    /// `has_any_column_privilege`: a grant of UPDATE on one column counts too.
    private func verify(on tx: PostgresConnection, schema: String, logger: Logger) async throws {
        let rows = try await tx.query("""
            SELECT c.relname::text,
                   has_any_column_privilege(\(name)::name, c.oid, 'INSERT'),
                   has_any_column_privilege(\(name)::name, c.oid, 'UPDATE') OR has_table_privilege(\(name)::name, c.oid, 'DELETE'),
                   has_table_privilege(\(name)::name, c.oid, 'TRUNCATE, TRIGGER') OR has_any_column_privilege(\(name)::name, c.oid, 'REFERENCES')
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p')
            """, logger: logger)
        var problems: [String] = []
        for try await (table, insert, change, other) in rows.decode((String, Bool, Bool, Bool).self) {
            if other { problems.append("TRUNCATE, REFERENCES or TRIGGER on \(table)") }
            if change && (Self.appendOnlyTables.contains(table) || Self.readOnlyTables.contains(table)) {
                problems.append("UPDATE or DELETE on \(table)")
            }
            if insert && Self.readOnlyTables.contains(table) { problems.append("INSERT on \(table)") }
        }
        guard problems.isEmpty else {
            throw Failure.privileged(role: name, reason: "after granting it can still do "
                                     + problems.sorted().joined(separator: "; ")
                                     + " (granted to PUBLIC, or to a role it belongs to)")
        }
    }

    /// The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802, RFC 7677;
    /// the format of `pg_authid.rolpassword`): a role created with it accepts the password,
    /// and neither the password nor anything that logs in with it goes over the wire.
    static func scramVerifier(password: String, salt: [UInt8], iterations: Int) -> String {
        // SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations), one 32-byte block.
        let key = SymmetricKey(data: Array(password.utf8))
        var block = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var salted = block
        for _ in 1..<iterations {
            block = Array(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for index in salted.indices { salted[index] ^= block[index] }
        }
        let saltedKey = SymmetricKey(data: salted)
        let clientKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: saltedKey))
        let storedKey = Array(SHA256.hash(data: clientKey))
        let serverKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Server Key".utf8), using: saltedKey))
        return "SCRAM-SHA-256$\(iterations):\(Data(salt).base64EncodedString())"
            + "$\(Data(storedKey).base64EncodedString()):\(Data(serverKey).base64EncodedString())"
    }

    /// A quoted SQL identifier.
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A quoted SQL string literal (standard_conforming_strings, the default since 9.1).
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
