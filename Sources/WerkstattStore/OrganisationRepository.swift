import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Organisations are shared by every workshop of the installation.
public protocol OrganisationRepository: Sendable {
    func create(_ new: NewOrganisation, by caller: Caller) async throws -> Organisation
    func list(page: PageRequest) async throws -> Page<Organisation>
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
                     stakeholderGroup: StakeholderGroup(rawValue: try r.get("stakeholder_group")) ?? .other,
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

    public func list(page: PageRequest) async throws -> Page<Organisation> {
        let rows = try await client.query("""
            SELECT id, seq, name, stakeholder_group, region, created_at FROM organisations
             WHERE seq > \(page.afterSeq) ORDER BY seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.organisation($0)) })
    }
}
