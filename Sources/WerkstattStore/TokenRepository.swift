import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Finds who holds a bearer token, and issues admin tokens.
public protocol TokenRepository: Sendable {
    /// The caller holding this token, or nil for an unknown or revoked token.
    func caller(token: String) async throws -> Caller?
    /// Creates an admin token and returns it; only its hash is stored.
    func createAdminToken(label: String?) async throws -> String
    /// Revokes an admin or member token; false when no live token matched.
    func revoke(token: String) async throws -> Bool
}

public struct PostgresTokenRepository: TokenRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func caller(token: String) async throws -> Caller? {
        for try await (kind, id, workshop, role, group) in try await client.execute(CallerByTokenHash(hash: Token.hash(token)), logger: logger) {
            if kind == "admin" { return .admin(id: id) }
            guard let workshop, let role, let group else { continue }
            return .member(MemberIdentity(id: id, workshopId: workshop, role: try Role(decoding: role),
                                          group: try StakeholderGroup(decoding: group)))
        }
        return nil
    }

    public func createAdminToken(label: String?) async throws -> String {
        let token = Token.generate()
        _ = try await client.write(
            "INSERT INTO admin_tokens (token_hash, label) VALUES (\(Token.hash(token)), \(label)) RETURNING id",
            logger: logger) { try $0.get("id", as: UUID.self) }
        return token
    }

    public func revoke(token: String) async throws -> Bool {
        let hash = Token.hash(token)
        let counts = try await client.write("""
            WITH a AS (UPDATE admin_tokens SET revoked_at = now()
                        WHERE token_hash = \(hash) AND revoked_at IS NULL RETURNING 1),
                 m AS (UPDATE members SET revoked_at = now()
                        WHERE token_hash = \(hash) AND revoked_at IS NULL RETURNING 1)
            SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM m) AS count
            """, logger: logger) { try $0.get("count", as: Int64.self) }
        return (counts.first ?? 0) > 0
    }
}

/// Who holds a token, found by its hash (the token itself is never compared). Every
/// request asks this, so it is prepared once per connection rather than parsed and
/// planned each time.
struct CallerByTokenHash: PostgresPreparedStatement {
    static let sql = """
        SELECT 'admin' AS kind, id, NULL::uuid AS workshop_id, NULL AS role, NULL AS stakeholder_group
          FROM admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL
        UNION ALL
        SELECT 'member', m.id, m.workshop_id, m.role, g.stakeholder_group
          FROM members m JOIN member_groups g ON g.member_id = m.id
         WHERE m.token_hash = $1 AND m.revoked_at IS NULL
        """
    typealias Row = (String, UUID, UUID?, String?, String?)

    var hash: Data

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        try bindings.append(hash)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
