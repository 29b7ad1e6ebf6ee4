import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Members of a workshop and their tokens.
public protocol MemberRepository: Sendable {
    /// Creates a member and returns it with its token, shown this once.
    func create(_ new: NewMember, in workshop: UUID, by caller: Caller) async throws -> Member
    func list(in workshop: UUID, page: PageRequest) async throws -> Page<Member>
    func get(_ id: UUID) async throws -> Member?
    /// Applies a moderator's change; 409 when it would change the member's stakeholder
    /// group while a round of the workshop is open (enforced by the schema).
    func update(_ id: UUID, with change: MemberChange, by caller: Caller) async throws -> Member
}

public struct PostgresMemberRepository: MemberRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let select = """
        SELECT m.id, m.seq, m.workshop_id, m.display_name, m.role, m.organisation_id, m.created_at,
               g.stakeholder_group
          FROM members m JOIN member_groups g ON g.member_id = m.id
        """

    static func member(_ r: PostgresRandomAccessRow) throws -> Member {
        Member(id: try r.get("id"), workshopId: try r.get("workshop_id"),
               displayName: try r.get("display_name"),
               role: try Role(decoding: try r.get("role")),
               organisationId: try r.get("organisation_id"),
               stakeholderGroup: try StakeholderGroup(decoding: try r.get("stakeholder_group")),
               createdAt: try r.get("created_at"))
    }

    public func create(_ new: NewMember, in workshop: UUID, by caller: Caller) async throws -> Member {
        let token = Token.generate()
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let inserted = try await tx.query("""
                    INSERT INTO members (workshop_id, display_name, role, organisation_id, stakeholder_group, token_hash)
                    VALUES (\(workshop), \(new.displayName), \(new.role.rawValue), \(new.organisationId),
                            \(new.stakeholderGroup?.rawValue), \(Token.hash(token)))
                    RETURNING id
                    """, logger: logger)
                let id: UUID = try await inserted.all { try $0.get("id") }[0]
                try await AuditLog.record("member.create", workshop: workshop, subject: id, by: caller,
                                          details: ["role": new.role.rawValue], on: tx, logger: logger)
                let rows = try await tx.query("\(unescaped: Self.select) WHERE m.id = \(id)", logger: logger)
                var member = try await rows.all(Self.member)[0]
                member.token = token
                return member
            }
        } catch {
            throw StoreError.translating(error)
        }
    }

    public func get(_ id: UUID) async throws -> Member? {
        let rows = try await client.query("\(unescaped: Self.select) WHERE m.id = \(id)", logger: logger)
        return try await rows.all(Self.member).first
    }

    public func update(_ id: UUID, with change: MemberChange, by caller: Caller) async throws -> Member {
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let updated = try await tx.query("""
                    UPDATE members SET display_name = COALESCE(\(change.displayName), display_name),
                           organisation_id = COALESCE(\(change.organisationId), organisation_id),
                           stakeholder_group = COALESCE(\(change.stakeholderGroup?.rawValue), stakeholder_group)
                     WHERE id = \(id)
                    RETURNING workshop_id
                    """, logger: logger)
                guard let workshop = try await updated.all({ try $0.get("workshop_id", as: UUID.self) }).first else {
                    throw StoreError.notFound("member")
                }
                var details: [String: String] = [:]
                if let name = change.displayName { details["display_name"] = name }
                if let organisation = change.organisationId { details["organisation_id"] = organisation.uuidString }
                if let group = change.stakeholderGroup { details["stakeholder_group"] = group.rawValue }
                try await AuditLog.record("member.update", workshop: workshop, subject: id, by: caller,
                                          details: details, on: tx, logger: logger)
                let rows = try await tx.query("\(unescaped: Self.select) WHERE m.id = \(id)", logger: logger)
                return try await rows.all(Self.member)[0]
            }
        } catch {
            throw StoreError.translating(error)
        }
    }

    public func list(in workshop: UUID, page: PageRequest) async throws -> Page<Member> {
        let rows = try await client.query("""
            \(unescaped: Self.select)
             WHERE m.workshop_id = \(workshop) AND m.seq > \(page.afterSeq)
             ORDER BY m.seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.member($0)) })
    }
}
