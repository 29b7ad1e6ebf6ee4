import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Theses and the stances members take on them.
public protocol ThesisRepository: Sendable {
    func create(_ new: NewThesis, in workshop: UUID, author: UUID) async throws -> Thesis
    func list(in workshop: UUID, workingGroup: UUID?, page: PageRequest) async throws -> Page<Thesis>
    func get(_ id: UUID) async throws -> Thesis?
    /// Several theses by id, in one read; an unknown id is left out.
    func get(_ ids: [UUID]) async throws -> [UUID: Thesis]
    /// Counts per stakeholder group with consensus and controversy.
    func stances(of thesis: UUID) async throws -> StanceSummary
    /// The same for each of several theses, in one read.
    func stances(of theses: [UUID]) async throws -> [UUID: StanceSummary]
    /// Records the member's stance, replacing an earlier one.
    func setStance(_ stance: StanceValue, on thesis: UUID, by member: UUID) async throws -> StanceRecord
    /// Marks the thesis withdrawn, keeping it, its stances and comments, with who and why.
    func withdraw(_ thesis: UUID, reason: String, by caller: Caller) async throws -> Thesis
}

public struct PostgresThesisRepository: ThesisRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let columns = """
        id, seq, workshop_id, author_id, title, body, working_group_id, event_id,
        withdrawn_at IS NOT NULL AS withdrawn, withdrawn_reason, created_at
        """

    static func thesis(_ r: PostgresRandomAccessRow) throws -> Thesis {
        Thesis(id: try r.get("id"), workshopId: try r.get("workshop_id"), authorId: try r.get("author_id"),
               title: try r.get("title"), body: try r.get("body"),
               workingGroupId: try r.get("working_group_id"), eventId: try r.get("event_id"),
               withdrawn: try r.get("withdrawn"), withdrawnReason: try r.get("withdrawn_reason"),
               createdAt: try r.get("created_at"))
    }

    public func create(_ new: NewThesis, in workshop: UUID, author: UUID) async throws -> Thesis {
        do {
            return try await client.write("""
                INSERT INTO theses (workshop_id, author_id, title, body, working_group_id, event_id)
                VALUES (\(workshop), \(author), \(new.title), \(new.body), \(new.workingGroupId), \(new.eventId))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger, Self.thesis)[0]
        } catch {
            throw StoreError.translating(error)
        }
    }

    public func list(in workshop: UUID, workingGroup: UUID?, page: PageRequest) async throws -> Page<Thesis> {
        var rows: [(key: String, item: Thesis)] = []
        let statement = ThesisPage(workshop: workshop, workingGroup: workingGroup, afterSeq: page.afterSeq, limit: page.limit + 1)
        for try await row in try await client.execute(statement, logger: logger) { rows.append(row) }
        return page.page(rows)
    }

    public func get(_ id: UUID) async throws -> Thesis? {
        try await get([id])[id]
    }

    public func get(_ ids: [UUID]) async throws -> [UUID: Thesis] {
        let rows = try await client.query("SELECT \(unescaped: Self.columns) FROM theses WHERE id = ANY(\(ids))",
                                          logger: logger)
        return Dictionary(uniqueKeysWithValues: try await rows.all(Self.thesis).map { ($0.id, $0) })
    }

    public func withdraw(_ thesis: UUID, reason: String, by caller: Caller) async throws -> Thesis {
        try await client.withTransaction(logger: logger) { tx in
            // Withdrawing twice keeps the first record.
            let rows = try await tx.query("""
                UPDATE theses SET withdrawn_at = COALESCE(withdrawn_at, now()),
                       withdrawn_by = CASE WHEN withdrawn_at IS NULL THEN \(caller.member?.id) ELSE withdrawn_by END,
                       withdrawn_reason = COALESCE(withdrawn_reason, \(reason))
                 WHERE id = \(thesis)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let withdrawn = try await rows.all(Self.thesis).first else { throw StoreError.notFound("thesis") }
            try await AuditLog.record("thesis.withdraw", workshop: withdrawn.workshopId, subject: thesis, by: caller,
                                      details: ["reason": reason], on: tx, logger: logger)
            return withdrawn
        }
    }

    public func stances(of thesis: UUID) async throws -> StanceSummary {
        try await stances(of: [thesis])[thesis] ?? .empty
    }

    public func stances(of theses: [UUID]) async throws -> [UUID: StanceSummary] {
        let rows = try await client.query("""
            SELECT s.thesis_id, g.stakeholder_group,
                   count(*) FILTER (WHERE s.stance = 'agree') AS agree,
                   count(*) FILTER (WHERE s.stance = 'disagree') AS disagree,
                   count(*) FILTER (WHERE s.stance = 'pass') AS pass,
                   min(w.min_group_size) AS k
              FROM stances s
              JOIN theses t ON t.id = s.thesis_id
              JOIN workshops w ON w.id = t.workshop_id
              JOIN member_groups g ON g.member_id = s.member_id
             WHERE s.thesis_id = ANY(\(theses))
             GROUP BY 1, 2
            """, logger: logger)
        // Raw counts per thesis and group; StanceSummary applies the workshop's k to them.
        var counts: [UUID: (byGroup: [StakeholderGroup: StanceSummary.Counts], k: Int)] = [:]
        for (thesis, group, counted, k) in try await rows.all({ r in
            (try r.get("thesis_id", as: UUID.self),
             try StakeholderGroup(decoding: try r.get("stakeholder_group", as: String.self)),
             StanceSummary.Counts(agree: Int(try r.get("agree", as: Int64.self)),
                                  disagree: Int(try r.get("disagree", as: Int64.self)),
                                  pass: Int(try r.get("pass", as: Int64.self))),
             Int(try r.get("k", as: Int32.self)))
        }) {
            counts[thesis, default: ([:], k)].byGroup[group] = counted
        }
        return theses.reduce(into: [:]) { summaries, thesis in
            summaries[thesis] = counts[thesis].map { StanceSummary(byGroup: $0.byGroup, minGroupSize: $0.k) } ?? .empty
        }
    }

    public func setStance(_ stance: StanceValue, on thesis: UUID, by member: UUID) async throws -> StanceRecord {
        let updatedAt: Date = try await client.write("""
            INSERT INTO stances (thesis_id, member_id, stance, workshop_id)
            SELECT \(thesis), \(member), \(stance.rawValue), t.workshop_id FROM theses t WHERE t.id = \(thesis)
            ON CONFLICT (thesis_id, member_id) DO UPDATE SET stance = EXCLUDED.stance, updated_at = now()
            RETURNING updated_at
            """, logger: logger) { try $0.get("updated_at") }[0]
        return StanceRecord(thesisId: thesis, stance: stance, updatedAt: updatedAt)
    }
}

/// A page of a workshop's theses (of one working group, or all): what the discussion shows
/// first, so it is prepared once per connection rather than parsed and planned each time.
struct ThesisPage: PostgresPreparedStatement {
    static let sql = """
        SELECT \(PostgresThesisRepository.columns) FROM theses
         WHERE workshop_id = $1 AND seq > $3 AND ($2::uuid IS NULL OR working_group_id = $2)
         ORDER BY seq LIMIT $4
        """

    var workshop: UUID
    var workingGroup: UUID?
    var afterSeq: Int64
    var limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(workshop)
        bindings.append(workingGroup)
        bindings.append(afterSeq)
        bindings.append(Int64(limit))
        return bindings
    }

    /// The row's seq (the page's sort key) and the thesis.
    func decodeRow(_ row: PostgresRow) throws -> (key: String, item: Thesis) {
        let columns = row.makeRandomAccess()
        return (String(try columns.get("seq", as: Int64.self)), try PostgresThesisRepository.thesis(columns))
    }
}
