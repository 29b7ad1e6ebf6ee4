import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// The implementation list: status, progress and notes per recommendation, in the order
/// of the workshop's decisive round.
public protocol ImplementationRepository: Sendable {
    /// The list in the order of the decisive round whose standing `audience` may see.
    func list(of workshop: UUID, for audience: Audience) async throws -> ImplementationList
    /// The workshop an item belongs to.
    func workshop(ofItem id: UUID) async throws -> UUID?
    /// Applies a moderator's change and records it in the audit log.
    func update(_ id: UUID, with change: ImplementationChange, by caller: Caller) async throws -> ImplementationItem
}

public struct PostgresImplementationRepository: ImplementationRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The rounds that may decide the order, most decisive first: the most recently
    /// closed one; while none is closed, the most recently opened one.
    static let decisiveQuery = """
        SELECT id, state, results FROM rounds
         WHERE workshop_id = $1 AND state IN ('open', 'closed')
         ORDER BY state = 'closed' DESC, COALESCE(closed_at, opened_at) DESC
        """

    /// The list in the order of the decisive round ($2)'s latest published snapshot;
    /// unranked items follow by code.
    static let listQuery = """
        WITH decisive AS (
            SELECT $2::uuid AS id
        ), snapshot AS (
            SELECT s.round_id, s.provisional, s.items FROM ranking_snapshots s
             WHERE s.round_id = (SELECT id FROM decisive) AND s.published AND (NOT $3::boolean OR NOT s.provisional)
             ORDER BY s.id DESC LIMIT 1
        ), ranked AS (
            SELECT (e->>'recommendation_id')::uuid AS recommendation_id, (e->>'rank')::int AS rank, ord
              FROM snapshot, jsonb_array_elements(snapshot.items) WITH ORDINALITY AS x(e, ord)
        )
        SELECT i.id, i.status, i.progress, i.updated_at, r.id AS recommendation_id, r.code, r.title, r.lead,
               r.timeframe_kind, r.timeframe_year, r.timeframe_to_year,
               wg.id AS wg_id, wg.code AS wg_code, wg.title AS wg_title, ranked.rank,
               (SELECT id FROM decisive) AS round_id,
               COALESCE((SELECT provisional FROM snapshot), true) AS provisional,
               COALESCE((SELECT jsonb_agg(jsonb_build_object('note', n.note, 'created_at', n.created_at) ORDER BY n.id)
                           FROM implementation_notes n WHERE n.item_id = i.id), '[]')::text AS notes
          FROM implementation_items i
          JOIN recommendations r ON r.id = i.recommendation_id
          LEFT JOIN working_groups wg ON wg.id = r.working_group_id
          LEFT JOIN ranked ON ranked.recommendation_id = r.id
         WHERE i.workshop_id = $1
         ORDER BY ranked.ord NULLS LAST, r.code
        """

    static func item(_ r: PostgresRandomAccessRow, position: Int) throws -> ImplementationItem {
        let timeframe = try r.timeframe()
        var workingGroup: ImplementationItem.WorkingGroupRef?
        if let id = try r.get("wg_id", as: UUID?.self) {
            workingGroup = .init(id: id, code: try r.get("wg_code"), title: try r.get("wg_title"))
        }
        let notes = try Self.decoder.decode([ImplementationItem.Note].self, from: Data(try r.get("notes", as: String.self).utf8))
        return ImplementationItem(
            id: try r.get("id"), position: position, recommendationId: try r.get("recommendation_id"),
            code: try r.get("code"), title: try r.get("title"), workingGroup: workingGroup,
            priorityRank: try r.get("rank", as: Int32?.self).map(Int.init), lead: try r.get("lead"),
            timeframe: timeframe, status: try ImplementationStatus(decoding: try r.get("status")),
            progress: Int(try r.get("progress", as: Int32.self)), updatedAt: try r.get("updated_at"), notes: notes)
    }

    /// PostgreSQL writes jsonb timestamps like 2017-03-01T09:00:00.123456+00:00.
    static let decoder = JSONDecoder.rfc3339()

    public func list(of workshop: UUID, for audience: Audience) async throws -> ImplementationList {
        var bindings = PostgresBindings()
        bindings.append(workshop)
        let candidates = try await client.query(PostgresQuery(unsafeSQL: Self.decisiveQuery, binds: bindings), logger: logger)
        // The first round whose standing this reader may see (Round.showsStanding): a
        // reader who may not see an open round's standing gets the order of the last
        // closed round, or code order, never the open round's.
        let decisive = try await candidates.all { r in
            (try r.get("id", as: UUID.self), try Round.State(decoding: try r.get("state")),
             try ResultsVisibility(decoding: try r.get("results")))
        }.first { Round.showsStanding(state: $0.1, results: $0.2, to: audience) }
        bindings.append(decisive?.0)
        bindings.append(decisive.map { Round.showsOnlyFinal(state: $0.1, to: audience) } ?? false)
        let rows = try await client.query(PostgresQuery(unsafeSQL: Self.listQuery, binds: bindings), logger: logger)
        var items: [ImplementationItem] = []
        var round: UUID?
        var provisional = true
        for try await row in rows {
            let r = row.makeRandomAccess()
            items.append(try Self.item(r, position: items.count + 1))
            round = try r.get("round_id")
            provisional = try r.get("provisional")
        }
        return ImplementationList(workshopId: workshop, roundId: round, provisional: round == nil ? false : provisional,
                                  items: items)
    }

    public func workshop(ofItem id: UUID) async throws -> UUID? {
        let rows = try await client.query("SELECT workshop_id FROM implementation_items WHERE id = \(id)", logger: logger)
        return try await rows.all { try $0.get("workshop_id", as: UUID.self) }.first
    }

    public func update(_ id: UUID, with change: ImplementationChange, by caller: Caller) async throws -> ImplementationItem {
        let workshop: UUID = try await client.withTransaction(logger: logger) { tx in
            let locked = try await tx.query("""
                SELECT i.workshop_id, i.recommendation_id, i.status, i.progress, r.lead,
                       r.timeframe_kind, r.timeframe_year, r.timeframe_to_year
                  FROM implementation_items i JOIN recommendations r ON r.id = i.recommendation_id
                 WHERE i.id = \(id) FOR UPDATE OF i, r
                """, logger: logger)
            guard let (workshop, recommendation, before) = try await locked.all({ r in
                (try r.get("workshop_id", as: UUID.self), try r.get("recommendation_id", as: UUID.self),
                 ["status_before": try r.get("status", as: String.self),
                  "progress_before": String(try r.get("progress", as: Int32.self)),
                  "lead_before": try r.get("lead", as: [String].self).joined(separator: " / "),
                  "timeframe_before": try r.timeframe()?.text() ?? ""])
            }).first else { throw StoreError.notFound("implementation item") }
            try await tx.query("""
                UPDATE implementation_items
                   SET status = COALESCE(\(change.status?.rawValue), status),
                       progress = COALESCE(\(change.progress.map(Int32.init)), progress),
                       updated_at = now()
                 WHERE id = \(id)
                """, logger: logger)
            if change.lead != nil || change.timeframe != nil {
                try await tx.query("""
                    UPDATE recommendations
                       SET lead = COALESCE(\(change.lead), lead),
                           timeframe_kind = CASE WHEN \(change.timeframe != nil) THEN \(change.timeframe?.kind.rawValue) ELSE timeframe_kind END,
                           timeframe_year = CASE WHEN \(change.timeframe != nil) THEN \(change.timeframe?.year.map(Int32.init)) ELSE timeframe_year END,
                           timeframe_to_year = CASE WHEN \(change.timeframe != nil) THEN \(change.timeframe?.toYear.map(Int32.init)) ELSE timeframe_to_year END
                     WHERE id = \(recommendation)
                    """, logger: logger)
            }
            if let note = change.note {
                try await tx.query("""
                    INSERT INTO implementation_notes (item_id, note, author_member, author_admin)
                    VALUES (\(id), \(note), \(caller.member?.id), \(caller.adminId))
                    """, logger: logger)
            }
            // The new values, and what they replace.
            var details: [String: String] = before
            if let lead = change.lead { details["lead"] = lead.joined(separator: " / ") }
            if let timeframe = change.timeframe { details["timeframe"] = timeframe.text() }
            if let status = change.status { details["status"] = status.rawValue }
            if let progress = change.progress { details["progress"] = String(progress) }
            if let note = change.note { details["note"] = note }
            try await AuditLog.record("implementation_item.update", workshop: workshop, subject: id, by: caller,
                                      details: details, on: tx, logger: logger)
            return workshop
        }
        guard let item = try await list(of: workshop, for: .moderators).items.first(where: { $0.id == id }) else {
            throw StoreError.notFound("implementation item")
        }
        return item
    }
}
