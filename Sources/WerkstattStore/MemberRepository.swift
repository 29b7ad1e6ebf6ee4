import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Members of a workshop and their tokens.
public protocol MemberRepository: Sendable {
    /// Creates a member and returns it with its token, shown this once.
    func create(_ new: NewMember, in workshop: UUID, by caller: Caller) async throws -> Member
    func list(in workshop: UUID, page: PageRequest) async throws -> Page<Member>
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
               COALESCE(m.stakeholder_group, o.stakeholder_group, 'other') AS stakeholder_group
          FROM members m LEFT JOIN organisations o ON o.id = m.organisation_id
        """

    static func member(_ r: PostgresRandomAccessRow) throws -> Member {
        Member(id: try r.get("id"), workshopId: try r.get("workshop_id"),
               displayName: try r.get("display_name"),
               role: Role(rawValue: try r.get("role")) ?? .observer,
               organisationId: try r.get("organisation_id"),
               stakeholderGroup: StakeholderGroup(rawValue: try r.get("stakeholder_group")) ?? .other,
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

    public func list(in workshop: UUID, page: PageRequest) async throws -> Page<Member> {
        let rows = try await client.query("""
            \(unescaped: Self.select)
             WHERE m.workshop_id = \(workshop) AND m.seq > \(page.afterSeq)
             ORDER BY m.seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.member($0)) })
    }
}
