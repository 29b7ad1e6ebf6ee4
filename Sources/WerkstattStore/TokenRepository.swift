import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Bearer tokens: who holds one, and their life (issue, expiry, rotation, revocation).
/// Tokens are only ever looked up by their hash, and named afterwards by the id of what
/// they belong to (the admin token's, the member's), never by their text.
public protocol TokenRepository: Sendable {
    /// The caller holding this token; `.expired` for one past its `expires_at`; nil for
    /// an unknown or revoked token.
    func lookup(token: String) async throws -> TokenLookup?
    /// Creates an admin token; only its hash is stored.
    func createAdminToken(label: String?, expiresAt: Date?) async throws -> IssuedToken
    /// Every admin token, live or not, without its text.
    func adminTokens() async throws -> [AdminTokenInfo]
    /// Revokes an admin token by id; false when no live one has it.
    func revokeAdminToken(_ id: UUID, by caller: Caller) async throws -> Bool
    /// Replaces an admin token by a new one (same id), which is returned once; nil for no such token.
    func rotateAdminToken(_ id: UUID, expiresAt: Date?, by caller: Caller) async throws -> IssuedToken?
    /// Replaces a member's token (the old one stops at once); nil for no such member.
    func rotateMemberToken(_ member: UUID, expiresAt: Date?, by caller: Caller) async throws -> IssuedToken?
    /// Revokes a member's token; false when it was already revoked; nil for no such member.
    func revokeMemberToken(_ member: UUID, by caller: Caller) async throws -> Bool?
    /// Revokes whatever token this is (for a token that leaked, read from standard input).
    func revoke(token: String, by caller: Caller) async throws -> Bool
}

extension TokenRepository {
    /// A new admin token that never expires.
    public func createAdminToken(label: String?) async throws -> String {
        try await createAdminToken(label: label, expiresAt: nil).token
    }
}

public struct PostgresTokenRepository: TokenRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func lookup(token: String) async throws -> TokenLookup? {
        for try await row in try await client.execute(CallerByTokenHash(hash: Token.hash(token)), logger: logger) {
            if row.expired { return .expired }
            let expiresIn = row.expiresIn.map { Duration.seconds($0) }
            if row.kind == "admin" { return .caller(.admin(id: row.id), expiresIn: expiresIn) }
            guard let workshop = row.workshop, let role = row.role, let group = row.group else { continue }
            let member = MemberIdentity(id: row.id, workshopId: workshop, role: try Role(decoding: role),
                                        group: try StakeholderGroup(decoding: group), readOnly: row.closed)
            return .caller(.member(member), expiresIn: expiresIn)
        }
        return nil
    }

    public func createAdminToken(label: String?, expiresAt: Date?) async throws -> IssuedToken {
        let token = Token.generate()
        let id = try await client.write("""
            INSERT INTO admin_tokens (token_hash, label, expires_at) VALUES (\(Token.hash(token)), \(label), \(expiresAt))
            RETURNING id
            """, logger: logger) { try $0.get("id", as: UUID.self) }[0]
        return IssuedToken(id: id, token: token, expiresAt: expiresAt)
    }

    public func adminTokens() async throws -> [AdminTokenInfo] {
        let rows = try await client.query(
            "SELECT id, label, created_at, expires_at, revoked_at FROM admin_tokens ORDER BY created_at", logger: logger)
        return try await rows.all {
            AdminTokenInfo(id: try $0.get("id"), label: try $0.get("label"), createdAt: try $0.get("created_at"),
                           expiresAt: try $0.get("expires_at"), revokedAt: try $0.get("revoked_at"))
        }
    }

    public func revokeAdminToken(_ id: UUID, by caller: Caller) async throws -> Bool {
        try await client.withTransaction(logger: logger) { tx in
            let rows = try await tx.query(
                "UPDATE admin_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING id", logger: logger)
            guard try await !rows.all({ try $0.get("id", as: UUID.self) }).isEmpty else { return false }
            try await AuditLog.record("admin_token.revoke", workshop: nil, subject: id, by: caller, on: tx, logger: logger)
            return true
        }
    }

    public func rotateAdminToken(_ id: UUID, expiresAt: Date?, by caller: Caller) async throws -> IssuedToken? {
        let token = Token.generate()
        return try await client.withTransaction(logger: logger) { tx in
            let rows = try await tx.query("""
                UPDATE admin_tokens SET token_hash = \(Token.hash(token)), expires_at = \(expiresAt), revoked_at = NULL
                 WHERE id = \(id) RETURNING id
                """, logger: logger)
            guard try await !rows.all({ try $0.get("id", as: UUID.self) }).isEmpty else { return nil }
            try await AuditLog.record("admin_token.rotate", workshop: nil, subject: id, by: caller,
                                      details: expiresAt.map { ["expires_at": $0.formatted(.iso8601)] } ?? [:],
                                      on: tx, logger: logger)
            return IssuedToken(id: id, token: token, expiresAt: expiresAt)
        }
    }

    public func rotateMemberToken(_ member: UUID, expiresAt: Date?, by caller: Caller) async throws -> IssuedToken? {
        let token = Token.generate()
        return try await client.withTransaction(logger: logger) { tx in
            let rows = try await tx.query("""
                UPDATE members SET token_hash = \(Token.hash(token)), expires_at = \(expiresAt), revoked_at = NULL
                 WHERE id = \(member) RETURNING workshop_id
                """, logger: logger)
            guard let workshop = try await rows.all({ try $0.get("workshop_id", as: UUID.self) }).first else { return nil }
            try await AuditLog.record("member_token.rotate", workshop: workshop, subject: member, by: caller,
                                      details: expiresAt.map { ["expires_at": $0.formatted(.iso8601)] } ?? [:],
                                      on: tx, logger: logger)
            return IssuedToken(id: member, token: token, expiresAt: expiresAt)
        }
    }

    public func revokeMemberToken(_ member: UUID, by caller: Caller) async throws -> Bool? {
        try await client.withTransaction(logger: logger) { tx in
            let rows = try await tx.query("""
                WITH target AS (SELECT id, workshop_id, revoked_at FROM members WHERE id = \(member) FOR UPDATE),
                     revoked AS (UPDATE members SET revoked_at = now()
                                  WHERE id = \(member) AND revoked_at IS NULL RETURNING id)
                SELECT t.workshop_id, (SELECT count(*) FROM revoked) AS revoked FROM target t
                """, logger: logger)
            guard let (workshop, count) = try await rows.all({
                (try $0.get("workshop_id", as: UUID.self), try $0.get("revoked", as: Int64.self))
            }).first else { return nil }
            guard count > 0 else { return false }
            try await AuditLog.record("member_token.revoke", workshop: workshop, subject: member, by: caller,
                                      on: tx, logger: logger)
            return true
        }
    }

    public func revoke(token: String, by caller: Caller) async throws -> Bool {
        let hash = Token.hash(token)
        return try await client.withTransaction(logger: logger) { tx in
            let rows = try await tx.query("""
                WITH a AS (UPDATE admin_tokens SET revoked_at = now()
                            WHERE token_hash = \(hash) AND revoked_at IS NULL RETURNING id, NULL::uuid AS workshop_id),
                     m AS (UPDATE members SET revoked_at = now()
                            WHERE token_hash = \(hash) AND revoked_at IS NULL RETURNING id, workshop_id)
                SELECT id, workshop_id, workshop_id IS NULL AS admin FROM a UNION ALL SELECT id, workshop_id, false FROM m
                """, logger: logger)
            let revoked = try await rows.all {
                (try $0.get("id", as: UUID.self), try $0.get("workshop_id", as: UUID?.self), try $0.get("admin", as: Bool.self))
            }
            for (id, workshop, admin) in revoked {
                try await AuditLog.record(admin ? "admin_token.revoke" : "member_token.revoke", workshop: workshop,
                                          subject: id, by: caller, on: tx, logger: logger)
            }
            return !revoked.isEmpty
        }
    }
}

/// Who holds a token, found by its hash (the token itself is never compared). Every
/// request asks this, so it is prepared once per connection rather than parsed and
/// planned each time.
struct CallerByTokenHash: PostgresPreparedStatement {
    static let sql = """
        SELECT 'admin' AS kind, id, NULL::uuid AS workshop_id, NULL AS role, NULL AS stakeholder_group,
               expires_at <= now() IS TRUE AS expired, false AS closed,
               extract(epoch FROM expires_at - now())::float8 AS expires_in
          FROM admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL
        UNION ALL
        SELECT 'member', m.id, m.workshop_id, m.role, g.stakeholder_group,
               m.expires_at <= now() IS TRUE, w.phase = 'closed', extract(epoch FROM m.expires_at - now())::float8
          FROM members m JOIN member_groups g ON g.member_id = m.id JOIN workshops w ON w.id = m.workshop_id
         WHERE m.token_hash = $1 AND m.revoked_at IS NULL
        """

    struct Row: Sendable {
        var kind: String
        var id: UUID
        var workshop: UUID?
        var role: String?
        var group: String?
        var expired: Bool
        var closed: Bool
        /// Seconds until `expires_at`; nil when the token does not expire.
        var expiresIn: Double?
    }

    var hash: Data

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        try bindings.append(hash)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (kind, id, workshop, role, group, expired, closed, expiresIn) =
            try row.decode((String, UUID, UUID?, String?, String?, Bool, Bool, Double?).self)
        return Row(kind: kind, id: id, workshop: workshop, role: role, group: group, expired: expired, closed: closed,
                   expiresIn: expiresIn)
    }
}
