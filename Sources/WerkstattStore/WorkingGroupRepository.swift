import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Working groups (Arbeitskreise) of a workshop.
public protocol WorkingGroupRepository: Sendable {
    func create(_ new: NewWorkingGroup, in workshop: UUID, by caller: Caller) async throws -> WorkingGroup
    func list(in workshop: UUID, page: PageRequest) async throws -> Page<WorkingGroup>
}

public struct PostgresWorkingGroupRepository: WorkingGroupRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static func workingGroup(_ r: PostgresRandomAccessRow) throws -> WorkingGroup {
        WorkingGroup(id: try r.get("id"), workshopId: try r.get("workshop_id"), code: try r.get("code"),
                     title: try r.get("title"), description: try r.get("description"),
                     createdAt: try r.get("created_at"))
    }

    public func create(_ new: NewWorkingGroup, in workshop: UUID, by caller: Caller) async throws -> WorkingGroup {
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let rows = try await tx.query("""
                    INSERT INTO working_groups (workshop_id, code, title, description)
                    VALUES (\(workshop), \(new.code), \(new.title), \(new.description))
                    RETURNING id, workshop_id, code, title, description, created_at
                    """, logger: logger)
                let group = try await rows.all(Self.workingGroup)[0]
                try await AuditLog.record("working_group.create", workshop: workshop, subject: group.id,
                                          by: caller, details: ["code": new.code], on: tx, logger: logger)
                return group
            }
        } catch {
            throw StoreError.translating(error, uniqueMessages: [
                "working_groups_workshop_id_code_key": "this workshop already has a working group with code '\(new.code)'",
            ])
        }
    }

    public func list(in workshop: UUID, page: PageRequest) async throws -> Page<WorkingGroup> {
        let rows = try await client.query("""
            SELECT id, seq, workshop_id, code, title, description, created_at FROM working_groups
             WHERE workshop_id = \(workshop) AND seq > \(page.afterSeq) ORDER BY seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.workingGroup($0)) })
    }
}
