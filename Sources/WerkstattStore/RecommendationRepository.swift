import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Recommendations (Handlungsempfehlungen) with lead, timeframe and the theses behind them.
public protocol RecommendationRepository: Sendable {
    func create(_ new: NewRecommendation, in workshop: UUID, by caller: Caller) async throws -> Recommendation
    func list(in workshop: UUID, page: PageRequest) async throws -> Page<Recommendation>
    func get(_ id: UUID) async throws -> Recommendation?
    /// Several recommendations by id, in one read; an unknown id is left out.
    func get(_ ids: [UUID]) async throws -> [UUID: Recommendation]
    /// Creates or updates recommendations by code, all or none; rows equal to what is
    /// stored change nothing.
    func importRows(_ rows: [ImportedRecommendation], into workshop: UUID, by caller: Caller) async throws -> ImportSummary
}

public struct PostgresRecommendationRepository: RecommendationRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let select = """
        SELECT r.id, r.seq, r.workshop_id, r.code, r.title, r.body, r.working_group_id, r.lead,
               r.timeframe_kind, r.timeframe_year, r.timeframe_to_year, r.created_at,
               ARRAY(SELECT rt.thesis_id FROM recommendation_theses rt JOIN theses t ON t.id = rt.thesis_id
                      WHERE rt.recommendation_id = r.id ORDER BY t.seq) AS thesis_ids
          FROM recommendations r
        """

    static func recommendation(_ r: PostgresRandomAccessRow) throws -> Recommendation {
        let timeframe = try r.timeframe()
        return Recommendation(
            id: try r.get("id"), workshopId: try r.get("workshop_id"), code: try r.get("code"),
            title: try r.get("title"), body: try r.get("body"), workingGroupId: try r.get("working_group_id"),
            thesisIds: try r.get("thesis_ids"), lead: try r.get("lead"), timeframe: timeframe,
            createdAt: try r.get("created_at"))
    }

    public func create(_ new: NewRecommendation, in workshop: UUID, by caller: Caller) async throws -> Recommendation {
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let inserted = try await tx.query("""
                    INSERT INTO recommendations (workshop_id, code, title, body, working_group_id, lead,
                                                 timeframe_kind, timeframe_year, timeframe_to_year, created_by)
                    VALUES (\(workshop), \(new.code), \(new.title), \(new.body), \(new.workingGroupId),
                            \(new.lead ?? []), \(new.timeframe?.kind.rawValue),
                            \(new.timeframe?.year.map(Int32.init)), \(new.timeframe?.toYear.map(Int32.init)),
                            \(caller.member?.id))
                    RETURNING id
                    """, logger: logger)
                let id: UUID = try await inserted.all { try $0.get("id") }[0]
                if let thesisIds = new.thesisIds, !thesisIds.isEmpty {
                    try await tx.query("""
                        INSERT INTO recommendation_theses (workshop_id, recommendation_id, thesis_id)
                        SELECT \(workshop), \(id), unnest(\(thesisIds)::uuid[])
                        """, logger: logger)
                }
                try await AuditLog.record("recommendation.create", workshop: workshop, subject: id, by: caller,
                                          details: ["code": new.code], on: tx, logger: logger)
                let rows = try await tx.query("\(unescaped: Self.select) WHERE r.id = \(id)", logger: logger)
                return try await rows.all(Self.recommendation)[0]
            }
        } catch {
            throw StoreError.translating(error, uniqueMessages: [
                "recommendations_workshop_id_code_key": "this workshop already has a recommendation with code '\(new.code)'",
            ])
        }
    }

    public func list(in workshop: UUID, page: PageRequest) async throws -> Page<Recommendation> {
        let rows = try await client.query("""
            \(unescaped: Self.select)
             WHERE r.workshop_id = \(workshop) AND r.seq > \(page.afterSeq)
             ORDER BY r.seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.recommendation($0)) })
    }

    public func importRows(_ rows: [ImportedRecommendation], into workshop: UUID, by caller: Caller) async throws -> ImportSummary {
        try await client.withTransaction(logger: logger) { tx in
            let groupRows = try await tx.query(
                "SELECT id, code FROM working_groups WHERE workshop_id = \(workshop)", logger: logger)
            var groups: [String: UUID] = [:]
            for try await (id, code) in groupRows.decode((UUID, String).self) { groups[code.lowercased()] = id }
            let unknown = rows.filter { row in row.workingGroupCode.map { groups[$0.lowercased()] == nil } ?? false }
            guard unknown.isEmpty else {
                throw StoreError.invalid(unknown.map {
                    FieldError("line \($0.line)", "working group '\($0.workingGroupCode!)' does not exist in this workshop")
                })
            }
            // Locks the workshop's recommendations, so two imports take turns.
            let existingRows = try await tx.query(
                "\(unescaped: Self.select) WHERE r.workshop_id = \(workshop) FOR UPDATE OF r", logger: logger)
            var existing: [String: Recommendation] = [:]
            for item in try await existingRows.all(Self.recommendation) { existing[item.code] = item }
            // What was voted on stays as it was voted on: a recommendation in an open or
            // closed round is not rewritten by an import (409, naming each one).
            let votedRows = try await tx.query("""
                SELECT DISTINCT i.recommendation_id FROM round_items i JOIN rounds r ON r.id = i.round_id
                 WHERE r.workshop_id = \(workshop) AND r.state IN ('open', 'closed')
                """, logger: logger)
            let voted = Set(try await votedRows.all { try $0.get("recommendation_id", as: UUID.self) })
            let rewrites = rows.filter { row in
                guard let current = existing[row.code], voted.contains(current.id) else { return false }
                return current.title != row.title || current.body != (row.body ?? current.body)
                    || current.workingGroupId != row.workingGroupCode.flatMap({ groups[$0.lowercased()] })
                    || current.lead != row.lead || current.timeframe != row.timeframe
            }
            guard rewrites.isEmpty else {
                throw StoreError.conflict("""
                    these recommendations are in an open or closed voting round and stay as they were voted on: \
                    \(rewrites.map { "\($0.code) (line \($0.line))" }.joined(separator: ", ")); \
                    import them under new codes, or follow their lead and timeframe in the implementation list
                    """)
            }
            var summary = ImportSummary()
            for row in rows {
                let group = row.workingGroupCode.flatMap { groups[$0.lowercased()] }
                let timeframe = row.timeframe
                if let current = existing[row.code] {
                    let body = row.body ?? current.body
                    guard current.title != row.title || current.body != body || current.workingGroupId != group
                            || current.lead != row.lead || current.timeframe != timeframe else {
                        summary.unchanged += 1
                        continue
                    }
                    try await tx.query("""
                        UPDATE recommendations
                           SET title = \(row.title), body = \(body), working_group_id = \(group), lead = \(row.lead),
                               timeframe_kind = \(timeframe?.kind.rawValue), timeframe_year = \(timeframe?.year.map(Int32.init)),
                               timeframe_to_year = \(timeframe?.toYear.map(Int32.init))
                         WHERE id = \(current.id)
                        """, logger: logger)
                    // The audit log keeps what it was before.
                    try await AuditLog.record("recommendation.update", workshop: workshop, subject: current.id, by: caller,
                                              details: ["code": current.code, "title_before": current.title,
                                                        "body_before": current.body,
                                                        "lead_before": current.lead.joined(separator: " / "),
                                                        "timeframe_before": current.timeframe?.text() ?? ""],
                                              on: tx, logger: logger)
                    summary.updated += 1
                } else {
                    try await tx.query("""
                        INSERT INTO recommendations (workshop_id, code, title, body, working_group_id, lead,
                                                     timeframe_kind, timeframe_year, timeframe_to_year, created_by)
                        VALUES (\(workshop), \(row.code), \(row.title), \(row.body ?? ""), \(group), \(row.lead),
                                \(timeframe?.kind.rawValue), \(timeframe?.year.map(Int32.init)),
                                \(timeframe?.toYear.map(Int32.init)), \(caller.member?.id))
                        """, logger: logger)
                    summary.created += 1
                }
            }
            if summary.created + summary.updated > 0 {
                try await AuditLog.record("recommendation.import", workshop: workshop, subject: nil, by: caller,
                                          details: ["created": "\(summary.created)", "updated": "\(summary.updated)"],
                                          on: tx, logger: logger)
            }
            return summary
        }
    }

    public func get(_ id: UUID) async throws -> Recommendation? {
        try await get([id])[id]
    }

    public func get(_ ids: [UUID]) async throws -> [UUID: Recommendation] {
        let rows = try await client.query("\(unescaped: Self.select) WHERE r.id = ANY(\(ids))", logger: logger)
        return Dictionary(uniqueKeysWithValues: try await rows.all(Self.recommendation).map { ($0.id, $0) })
    }
}
