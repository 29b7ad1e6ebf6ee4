import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Organisations are shared by every workshop of the installation.
public protocol OrganisationRepository: Sendable {
    func create(_ new: NewOrganisation, by caller: Caller) async throws -> Organisation
    func list(page: PageRequest) async throws -> Page<Organisation>
    /// Applies an admin's change; 409 when it would change the stakeholder group while a
    /// round is open in a workshop where the organisation has members (enforced by the schema).
    func update(_ id: UUID, with change: OrganisationChange, by caller: Caller) async throws -> Organisation
}

public struct PostgresOrganisationRepository: OrganisationRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static func organisation(_ r: PostgresRandomAccessRow) throws -> Organisation {
        Organisation(id: try r.get("id"), name: try r.get("name"),
                     stakeholderGroup: try StakeholderGroup(decoding: try r.get("stakeholder_group")),
                     region: try r.get("region"), createdAt: try r.get("created_at"))
    }

    public func create(_ new: NewOrganisation, by caller: Caller) async throws -> Organisation {
        try await client.withTransaction(logger: logger) { tx in
            let rows = try await tx.query("""
                INSERT INTO organisations (name, stakeholder_group, region)
                VALUES (\(new.name), \(new.stakeholderGroup.rawValue), \(new.region))
                RETURNING id, seq, name, stakeholder_group, region, created_at
                """, logger: logger)
            let organisation = try await rows.all(Self.organisation)[0]
            try await AuditLog.record("organisation.create", workshop: nil, subject: organisation.id,
                                      by: caller, details: ["name": new.name], on: tx, logger: logger)
            return organisation
        }
    }

    public func update(_ id: UUID, with change: OrganisationChange, by caller: Caller) async throws -> Organisation {
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let rows = try await tx.query("""
                    UPDATE organisations SET name = COALESCE(\(change.name), name),
                           stakeholder_group = COALESCE(\(change.stakeholderGroup?.rawValue), stakeholder_group),
                           region = COALESCE(\(change.region), region)
                     WHERE id = \(id)
                    RETURNING id, seq, name, stakeholder_group, region, created_at
                    """, logger: logger)
                guard let organisation = try await rows.all(Self.organisation).first else {
                    throw StoreError.notFound("organisation")
                }
                var details: [String: String] = [:]
                if let name = change.name { details["name"] = name }
                if let group = change.stakeholderGroup { details["stakeholder_group"] = group.rawValue }
                if let region = change.region { details["region"] = region }
                try await AuditLog.record("organisation.update", workshop: nil, subject: id, by: caller,
                                          details: details, on: tx, logger: logger)
                return organisation
            }
        } catch {
            throw StoreError.translating(error)
        }
    }

    public func list(page: PageRequest) async throws -> Page<Organisation> {
        let rows = try await client.query("""
            SELECT id, seq, name, stakeholder_group, region, created_at FROM organisations
             WHERE seq > \(page.afterSeq) ORDER BY seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.organisation($0)) })
    }
}
