import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Dated sessions (Veranstaltungen) of a workshop.
public protocol EventRepository: Sendable {
    func create(_ new: NewEvent, in workshop: UUID, by caller: Caller) async throws -> Event
    func list(in workshop: UUID, page: PageRequest) async throws -> Page<Event>
}

public struct PostgresEventRepository: EventRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static func event(_ r: PostgresRandomAccessRow) throws -> Event {
        Event(id: try r.get("id"), workshopId: try r.get("workshop_id"), title: try r.get("title"),
              place: try r.get("place"), startsAt: try r.get("starts_at"), createdAt: try r.get("created_at"))
    }

    public func create(_ new: NewEvent, in workshop: UUID, by caller: Caller) async throws -> Event {
        try await client.withTransaction(logger: logger) { tx in
            let rows = try await tx.query("""
                INSERT INTO events (workshop_id, title, place, starts_at)
                VALUES (\(workshop), \(new.title), \(new.place), \(new.startsAt))
                RETURNING id, workshop_id, title, place, starts_at, created_at
                """, logger: logger)
            let event = try await rows.all(Self.event)[0]
            try await AuditLog.record("event.create", workshop: workshop, subject: event.id, by: caller,
                                      details: ["title": new.title], on: tx, logger: logger)
            return event
        }
    }

    public func list(in workshop: UUID, page: PageRequest) async throws -> Page<Event> {
        let rows = try await client.query("""
            SELECT id, seq, workshop_id, title, place, starts_at, created_at FROM events
             WHERE workshop_id = \(workshop) AND seq > \(page.afterSeq) ORDER BY seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.event($0)) })
    }
}
