import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Members of a workshop and their tokens.
public protocol MemberRepository: Sendable {
    /// Creates a member and returns it with its token, shown this once.
    func create(_ new: NewMember, in workshop: UUID, by caller: Caller) async throws -> Member
    /// Creates every member of an import file, or none (422 naming each bad line); the
    /// members come back with their tokens, in file order, shown this once.
    func importMembers(_ rows: [ImportedMember], into workshop: UUID, createOrganisations: Bool,
                       expiresAt: Date?, by caller: Caller) async throws -> [Member]
    func list(in workshop: UUID, filter: MemberFilter, page: PageRequest) async throws -> Page<Member>
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
        SELECT m.id, m.seq, m.workshop_id, m.display_name, m.role, m.organisation_id, o.name AS organisation_name,
               m.email, m.created_at, m.expires_at, m.revoked_at, g.stakeholder_group
          FROM members m JOIN member_groups g ON g.member_id = m.id LEFT JOIN organisations o ON o.id = m.organisation_id
        """

    static func member(_ r: PostgresRandomAccessRow) throws -> Member {
        Member(id: try r.get("id"), workshopId: try r.get("workshop_id"),
               displayName: try r.get("display_name"),
               role: try Role(decoding: try r.get("role")),
               organisationId: try r.get("organisation_id"), organisationName: try r.get("organisation_name"),
               stakeholderGroup: try StakeholderGroup(decoding: try r.get("stakeholder_group")),
               email: try r.get("email"), createdAt: try r.get("created_at"),
               expiresAt: try r.get("expires_at"), revokedAt: try r.get("revoked_at"))
    }

    /// What a unique e-mail address means to a client.
    static let uniqueMessages = ["members_workshop_email": "a member with this e-mail address is already in the workshop"]

    public func create(_ new: NewMember, in workshop: UUID, by caller: Caller) async throws -> Member {
        let token = Token.generate()
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let inserted = try await tx.query("""
                    INSERT INTO members (workshop_id, display_name, role, organisation_id, stakeholder_group, token_hash,
                                         email, expires_at)
                    VALUES (\(workshop), \(new.displayName), \(new.role.rawValue), \(new.organisationId),
                            \(new.stakeholderGroup?.rawValue), \(Token.hash(token)), \(new.email), \(new.expiresAt))
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
            throw StoreError.translating(error, uniqueMessages: Self.uniqueMessages)
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
                if let organisation = change.organisationId { details["organisation_id"] = organisation.text }
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

    public func list(in workshop: UUID, filter: MemberFilter, page: PageRequest) async throws -> Page<Member> {
        let rows = try await client.query("""
            \(unescaped: Self.select)
             WHERE m.workshop_id = \(workshop) AND m.seq > \(page.afterSeq)
               AND (\(filter.stakeholderGroup?.rawValue)::text IS NULL OR g.stakeholder_group = \(filter.stakeholderGroup?.rawValue))
               AND (\(filter.organisationId)::uuid IS NULL OR m.organisation_id = \(filter.organisationId))
               AND (\(filter.role?.rawValue)::text IS NULL OR m.role = \(filter.role?.rawValue))
             ORDER BY m.seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.member($0)) })
    }

    public func importMembers(_ rows: [ImportedMember], into workshop: UUID, createOrganisations: Bool,
                              expiresAt: Date?, by caller: Caller) async throws -> [Member] {
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let organisations = try await Self.organisations(for: rows, create: createOrganisations,
                                                                 by: caller, on: tx, logger: logger)
                try await Self.refuseKnownAddresses(rows, in: workshop, on: tx, logger: logger)
                // One statement for every row: 5 000 members are one round trip.
                let tokens = rows.map { _ in Token.generate() }
                let inserted = try await tx.query("""
                    INSERT INTO members (workshop_id, display_name, role, organisation_id, stakeholder_group,
                                         email, token_hash, expires_at)
                    SELECT \(workshop), r.name, r.role, NULLIF(r.organisation, '')::uuid, NULLIF(r.stakeholder_group, ''),
                           NULLIF(r.email, ''), decode(r.token_hash, 'hex'), \(expiresAt)
                      FROM unnest(\(rows.map(\.displayName)), \(rows.map(\.role.rawValue)),
                                  \(rows.map { $0.organisation.flatMap { organisations[$0]?.text } ?? "" }),
                                  \(rows.map { $0.stakeholderGroup?.rawValue ?? "" }), \(rows.map { $0.email ?? "" }),
                                  \(tokens.map(Token.hashHex))) WITH ORDINALITY
                           AS r(name, role, organisation, stakeholder_group, email, token_hash, ord)
                     ORDER BY r.ord
                    RETURNING id, encode(token_hash, 'hex') AS token_hash
                    """, logger: logger)
                // Paired by hash, not by the order of RETURNING, which PostgreSQL does not promise.
                let idByHash = Dictionary(uniqueKeysWithValues: try await inserted.all {
                    (try $0.get("token_hash", as: String.self), try $0.get("id", as: UUID.self))
                })
                let ids = tokens.compactMap { idByHash[Token.hashHex($0)] }
                try await AuditLog.record("member.import", workshop: workshop, subject: nil, by: caller,
                                          details: ["members": String(ids.count)], on: tx, logger: logger)
                let read = try await tx.query("\(unescaped: Self.select) WHERE m.id = ANY(\(ids))", logger: logger)
                let byId = Dictionary(uniqueKeysWithValues: try await read.all(Self.member).map { ($0.id, $0) })
                return zip(ids, tokens).compactMap { id, token in
                    guard var member = byId[id] else { return nil }
                    member.token = token
                    return member
                }
            }
        } catch {
            throw StoreError.translating(error, uniqueMessages: Self.uniqueMessages)
        }
    }

    /// The organisation of every name in the file (name as written → id), creating the
    /// missing ones when asked; 422 naming each line whose organisation is unknown,
    /// ambiguous, or cannot be created for want of a stakeholder group. Names are compared
    /// as PostgreSQL lower-cases them (`lower`, as the index does), never as Swift does:
    /// the two disagree on letters such as "Ä" under some collations.
    static func organisations(for rows: [ImportedMember], create: Bool, by caller: Caller,
                              on tx: PostgresConnection, logger: Logger) async throws -> [String: UUID] {
        let names = Array(Set(rows.compactMap(\.organisation)))
        guard !names.isEmpty else { return [:] }
        let found = try await tx.query("""
            SELECT n.name, lower(n.name) AS key, array_remove(array_agg(o.id), NULL) AS ids
              FROM unnest(\(names)) AS n(name) LEFT JOIN organisations o ON lower(o.name) = lower(n.name)
             GROUP BY n.name
            """, logger: logger)
        var keyOf: [String: String] = [:]
        var known: [String: [UUID]] = [:]
        for (name, key, ids) in try await found.all({
            (try $0.get("name", as: String.self), try $0.get("key", as: String.self), try $0.get("ids", as: [UUID].self))
        }) {
            keyOf[name] = key
            if !ids.isEmpty { known[key] = ids }
        }
        var errors: [FieldError] = []
        var toCreate: [(name: String, group: StakeholderGroup)] = []
        var planned = Set<String>()
        for row in rows {
            guard let name = row.organisation, let key = keyOf[name] else { continue }
            switch known[key]?.count ?? 0 {
            case 1: continue
            case 0 where create:
                if planned.contains(key) { continue }
                guard let group = row.stakeholderGroup else {
                    errors.append(FieldError("line \(row.line)", "organisation '\(name)' is new: give its stakeholder_group so it can be created"))
                    continue
                }
                planned.insert(key)
                toCreate.append((name, group))
            case 0:
                errors.append(FieldError("line \(row.line)", "organisation '\(name)' does not exist; create it first, or import with ?create_organisations=true"))
            default:
                errors.append(FieldError("line \(row.line)", "organisation '\(name)' names \(known[key]?.count ?? 0) organisations; rename them apart first"))
            }
        }
        guard errors.isEmpty else { throw StoreError.invalid(errors) }
        var byKey = known.compactMapValues { $0.count == 1 ? $0[0] : nil }
        if !toCreate.isEmpty {
            let created = try await tx.query("""
                INSERT INTO organisations (name, stakeholder_group)
                SELECT * FROM unnest(\(toCreate.map(\.name))::text[], \(toCreate.map(\.group.rawValue))::text[])
                RETURNING id, name, lower(name) AS key
                """, logger: logger)
            for (id, name, key) in try await created.all({
                (try $0.get("id", as: UUID.self), try $0.get("name", as: String.self), try $0.get("key", as: String.self))
            }) {
                byKey[key] = id
                try await AuditLog.record("organisation.create", workshop: nil, subject: id, by: caller,
                                          details: ["name": name, "via": "member import"], on: tx, logger: logger)
            }
        }
        return keyOf.compactMapValues { byKey[$0] }
    }

    /// 422 naming each line whose e-mail address a member of the workshop already has.
    static func refuseKnownAddresses(_ rows: [ImportedMember], in workshop: UUID,
                                     on tx: PostgresConnection, logger: Logger) async throws {
        let emails = rows.compactMap { $0.email?.lowercased() }
        guard !emails.isEmpty else { return }
        let known = try await tx.query("""
            SELECT lower(email) AS email FROM members WHERE workshop_id = \(workshop) AND lower(email) = ANY(\(emails))
            """, logger: logger)
        let taken = Set(try await known.all { try $0.get("email", as: String.self) })
        let errors = rows.filter { $0.email.map { taken.contains($0.lowercased()) } ?? false }.map {
            FieldError("line \($0.line)", "\($0.email ?? "") is already a member of this workshop (a duplicate; nobody was created twice)")
        }
        guard errors.isEmpty else { throw StoreError.invalid(errors) }
    }
}
