import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// The implementation list: status, progress, measures, milestones and notes per
/// recommendation, in the order of the workshop's decisive round, now or as of a past day
/// (rebuilt from `implementation_history`).
public protocol ImplementationRepository: Sendable {
    /// The list in the order of the decisive round whose standing `audience` may see; with
    /// `asOf` (YYYY-MM-DD), as everything stood at the end of that day (UTC).
    func list(of workshop: UUID, for audience: Audience, asOf day: String?) async throws -> ImplementationList
    /// The workshop an item belongs to.
    func workshop(ofItem id: UUID) async throws -> UUID?
    /// Applies a moderator's change (dated `at`, else now), records it in the history and
    /// the audit log.
    func update(_ id: UUID, with change: ImplementationChange, by caller: Caller, at: Date?) async throws -> ImplementationItem
    /// The item's changes and its measures', newest first.
    func history(of item: UUID, page: PageRequest) async throws -> Page<HistoryEntry>
    /// Each item's history up to `end`: its latest state before `start`, then every change.
    func points(of workshop: UUID, from start: Date, to end: Date) async throws -> [UUID: [HistoryPoint]]
}

extension ImplementationRepository {
    public func list(of workshop: UUID, for audience: Audience) async throws -> ImplementationList {
        try await list(of: workshop, for: audience, asOf: nil)
    }
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
        SELECT id, state, results, opened_at, closed_at FROM rounds
         WHERE workshop_id = $1 AND state IN ('open', 'closed')
         ORDER BY state = 'closed' DESC, COALESCE(closed_at, opened_at) DESC
        """

    /// The list in the order of the decisive round ($2)'s latest published snapshot computed
    /// before $4 (nil: now); unranked items follow by code. Own state from the items' rows;
    /// "as of" replaces it with the history's, and `recorded` says whether the item has any.
    static let listQuery = """
        WITH decisive AS (
            SELECT $2::uuid AS id
        ), snapshot AS (
            SELECT s.id, s.shown, s.round_id, s.provisional, s.items FROM ranking_snapshots s
             WHERE s.round_id = (SELECT id FROM decisive) AND s.published AND (NOT $3::boolean OR NOT s.provisional)
               AND ($4::timestamptz IS NULL OR s.computed_at < $4)
             ORDER BY s.id DESC LIMIT 1
        ), ranked AS (
            SELECT (e->>'recommendation_id')::uuid AS recommendation_id, (e->>'rank')::int AS rank, ord
              FROM snapshot, jsonb_array_elements(snapshot.items) WITH ORDINALITY AS x(e, ord)
        )
        SELECT i.id, i.status, i.status_explicit, i.progress, i.review_due::text AS review_due, i.milestones::text AS milestones,
               i.updated_at, r.created_at, r.id AS recommendation_id, r.code, r.title, r.lead,
               r.timeframe_kind, r.timeframe_year, r.timeframe_to_year,
               wg.id AS wg_id, wg.code AS wg_code, wg.title AS wg_title, ranked.rank,
               (SELECT id FROM decisive) AS round_id,
               COALESCE((SELECT provisional FROM snapshot), true) AS provisional,
               (SELECT id FROM snapshot) AS snapshot_id, COALESCE((SELECT shown FROM snapshot), true) AS snapshot_shown,
               COALESCE((SELECT jsonb_agg(jsonb_build_object('note', n.note, 'created_at', n.created_at) ORDER BY n.created_at, n.id)
                           FROM implementation_notes n
                          WHERE n.item_id = i.id AND ($4::timestamptz IS NULL OR n.created_at < $4)), '[]')::text AS notes,
               $4::timestamptz IS NOT NULL AND EXISTS (SELECT 1 FROM implementation_history h
                                                        WHERE h.workshop_id = i.workshop_id AND h.entity_id = i.id) AS recorded
          FROM implementation_items i
          JOIN recommendations r ON r.id = i.recommendation_id
          LEFT JOIN working_groups wg ON wg.id = r.working_group_id
          LEFT JOIN ranked ON ranked.recommendation_id = r.id
         WHERE i.workshop_id = $1
         ORDER BY ranked.ord NULLS LAST, r.code
        """

    /// The item's own state as its row holds it (the same fields `implementation_item_state` records).
    static func ownState(_ r: PostgresRandomAccessRow) throws -> RecordedState {
        RecordedState(lead: try r.get("lead"), timeframe: try r.timeframe(), status: try ImplementationStatus(decoding: try r.get("status")),
                      statusExplicit: try r.get("status_explicit"), progress: Int(try r.get("progress", as: Int32.self)),
                      reviewDue: try r.get("review_due"),
                      milestones: try decoder.decode([Milestone].self, from: Data(try r.get("milestones", as: String.self).utf8)))
    }

    static func item(_ r: PostgresRandomAccessRow, position: Int, state: RecordedState, measures: [MeasureRecord]) throws -> ImplementationItem {
        var workingGroup: ImplementationItem.WorkingGroupRef?
        if let id = try r.get("wg_id", as: UUID?.self) {
            workingGroup = .init(id: id, code: try r.get("wg_code"), title: try r.get("wg_title"))
        }
        let notes = try Self.decoder.decode([ImplementationItem.Note].self, from: Data(try r.get("notes", as: String.self).utf8))
        return ImplementationItem(
            id: try r.get("id"), position: position, recommendationId: try r.get("recommendation_id"),
            code: try r.get("code"), title: try r.get("title"), workingGroup: workingGroup,
            priorityRank: try r.get("rank", as: Int32?.self).map(Int.init), state: state, measures: measures,
            updatedAt: try r.get("updated_at"), notes: notes)
    }

    /// PostgreSQL writes jsonb timestamps like 2017-03-01T09:00:00.123456+00:00.
    static let decoder = JSONDecoder.rfc3339()

    public func list(of workshop: UUID, for audience: Audience, asOf day: String?) async throws -> ImplementationList {
        let cut = day.flatMap(Day.end(of:))
        // As of a day, every item's and measure's state then, read on a second connection
        // while the rounds and the list are read on the first.
        async let statesThen = states(of: workshop, before: cut)
        var bindings = PostgresBindings()
        bindings.append(workshop)
        let candidates = try await client.query(PostgresQuery(unsafeSQL: Self.decisiveQuery, binds: bindings), logger: logger)
        // The first round whose standing this reader may see (Round.showsStanding): a
        // reader who may not see an open round's standing gets the order of the last
        // closed round, or code order, never the open round's. As of a day, a round counts
        // in the state it had then: closed if closed by then, open if opened by then.
        let rounds = try await candidates.all { r in
            (id: try r.get("id", as: UUID.self), state: try Round.State(decoding: try r.get("state")),
             results: try ResultsVisibility(decoding: try r.get("results")),
             opened: try r.get("opened_at", as: Date?.self), closed: try r.get("closed_at", as: Date?.self))
        }
        typealias Then = (id: UUID, state: Round.State, results: ResultsVisibility, at: Date)
        var asThen: [Then] = []
        for round in rounds {
            if let cut {
                if let closed = round.closed, closed < cut { asThen.append((round.id, .closed, round.results, closed)) }
                else if let opened = round.opened, opened < cut { asThen.append((round.id, .open, round.results, opened)) }
            } else {
                asThen.append((round.id, round.state, round.results, round.closed ?? round.opened ?? .distantPast))
            }
        }
        // Closed rounds first, the latest first.
        asThen.sort { a, b in
            if (a.state == .closed) != (b.state == .closed) { return a.state == .closed }
            return a.at > b.at
        }
        let decisive = asThen.first { Round.showsStanding(state: $0.state, results: $0.results, to: audience) }
        bindings.append(decisive?.id)
        bindings.append(decisive.map { Round.showsOnlyFinal(state: $0.state, to: audience) } ?? false)
        bindings.append(cut)
        let rows = try await client.query(PostgresQuery(unsafeSQL: Self.listQuery, binds: bindings), logger: logger)
        let measures: [UUID: [MeasureRecord]]
        var states: [UUID: (state: RecordedState, at: Date)] = [:]
        if let loaded = try await statesThen {
            states = loaded.items
            measures = loaded.measures
        } else {
            measures = try await PostgresMeasureRepository(client: client, logger: logger).records(in: workshop)
        }
        var items: [ImplementationItem] = []
        var round: UUID?
        var provisional = true
        var snapshot: (id: Int64, shown: Bool)?
        for try await row in rows {
            let r = row.makeRandomAccess()
            let id = try r.get("id", as: UUID.self)
            let state: RecordedState
            if let cut {
                // As of a day: the latest recorded state before its end; an item never
                // changed since its creation stood as it stands now, if it existed then.
                let created = try r.get("created_at", as: Date.self)
                if let then = states[id] { state = then.state }
                else if try r.get("recorded", as: Bool.self) || created >= cut { continue }
                else { state = try Self.ownState(r) }
            } else {
                state = try Self.ownState(r)
            }
            var item = try Self.item(r, position: items.count + 1, state: state, measures: measures[id] ?? [])
            // As of a day, the item was last changed when its latest state then was recorded.
            if let then = states[id] { item.updatedAt = then.at }
            items.append(item)
            round = try r.get("round_id")
            provisional = try r.get("provisional")
            snapshot = try r.get("snapshot_id", as: Int64?.self).map { (id: $0, shown: try r.get("snapshot_shown")) }
        }
        // The order shown comes from that snapshot: retention keeps it from now on. Removed
        // between the read and the mark (a newer one was published), the list is read again.
        if let snapshot, !(try await client.markShown(snapshot.id, shown: snapshot.shown, logger: logger)) {
            return try await list(of: workshop, for: audience, asOf: day)
        }
        return ImplementationList(workshopId: workshop, roundId: round, provisional: round == nil ? false : provisional,
                                  asOf: day, items: items)
    }

    /// The latest recorded state of every item and measure of the workshop before `cut`
    /// (nil without a cut).
    func states(of workshop: UUID, before cut: Date?) async throws
        -> (items: [UUID: (state: RecordedState, at: Date)], measures: [UUID: [MeasureRecord]])? {
        guard let cut else { return nil }
        // The state comes from the columns generated from it (sql/013), not from its JSON.
        let rows = try await client.query(Self.latest("""
            h.entity_id, h.kind, h.item_id, e.created_at, h.at, h.parent_id, h.title, h.lead, h.timeframe_kind,
            h.timeframe_year, h.timeframe_to_year, h.status, h.status_explicit, h.progress, h.weight, h.review_due,
            h.milestone_titles, h.milestone_dues, h.milestone_dones, h.archived
            """, of: workshop, before: cut), logger: logger)
        var items: [UUID: (state: RecordedState, at: Date)] = [:]
        var measures: [(item: UUID, id: UUID, created: Date, state: RecordedState)] = []
        for try await row in rows {
            // Cell by cell, in the order selected (a row per item and measure: thousands).
            var cells = Cells(row)
            let entity = try cells.next(UUID.self), kind = try HistoryKind(decoding: try cells.next(String.self))
            let item = try cells.next(UUID.self), created = try cells.next(Date?.self), at = try cells.next(Date.self)
            let parent = try cells.next(UUID?.self), title = try cells.next(String?.self), lead = try cells.nextList(of: String.self)
            let timeframe = try Timeframe.stored(kind: try cells.next(), year: try cells.next(), toYear: try cells.next())
            let status = try ImplementationStatus(decoding: try cells.next(String.self))
            let statusExplicit = try cells.next(Bool.self), progress = Int(try cells.next(Int32.self))
            let weight = try cells.next(Double?.self), reviewDue = try cells.next(String?.self)
            let milestones = Milestone.stored(titles: try cells.nextList(), dues: try cells.nextList(), dones: try cells.nextList())
            let state = RecordedState(parentId: parent, title: title, lead: lead, timeframe: timeframe, status: status,
                                      statusExplicit: statusExplicit, progress: progress, weight: weight, reviewDue: reviewDue,
                                      milestones: milestones, archived: try cells.next(Bool.self))
            if kind == .item { items[entity] = (state, at) }
            else { measures.append((item, entity, created ?? .distantPast, state)) }
        }
        return (items, PostgresMeasureRepository.grouped(measures))
    }

    public func workshop(ofItem id: UUID) async throws -> UUID? {
        let rows = try await client.query("SELECT workshop_id FROM implementation_items WHERE id = \(id)", logger: logger)
        return try await rows.all { try $0.get("workshop_id", as: UUID.self) }.first
    }

    public func update(_ id: UUID, with change: ImplementationChange, by caller: Caller, at: Date?) async throws -> ImplementationItem {
        let workshop: UUID = try await client.withTransaction(logger: logger) { tx in
            let locked = try await tx.query("""
                SELECT i.workshop_id, i.recommendation_id, i.status, i.progress, r.lead,
                       r.timeframe_kind, r.timeframe_year, r.timeframe_to_year,
                       implementation_item_state(i.id)::text AS state,
                       EXISTS (SELECT 1 FROM measures m WHERE m.item_id = i.id AND m.archived_at IS NULL) AS has_measures
                  FROM implementation_items i JOIN recommendations r ON r.id = i.recommendation_id
                 WHERE i.id = \(id) FOR UPDATE OF i, r
                """, logger: logger)
            guard let (workshop, recommendation, before, state, hasMeasures) = try await locked.all({ r in
                (try r.get("workshop_id", as: UUID.self), try r.get("recommendation_id", as: UUID.self),
                 ["status_before": try r.get("status", as: String.self),
                  "progress_before": String(try r.get("progress", as: Int32.self)),
                  "lead_before": try r.get("lead", as: [String].self).joined(separator: " / "),
                  "timeframe_before": try r.timeframe()?.text() ?? ""],
                 try r.get("state", as: String.self), try r.get("has_measures", as: Bool.self))
            }).first else { throw StoreError.notFound("implementation item") }
            if change.progress != nil && hasMeasures {
                throw StoreError.conflict("this item's progress is rolled up from its measures; report progress on the measures")
            }
            let milestones = try change.milestones.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            // A status set by hand stays while the item has measures (explicit); without
            // measures it is simply the item's own. `null` lets it follow the measures again.
            try await tx.query("""
                UPDATE implementation_items
                   SET status = COALESCE(\(change.status.value?.rawValue), status),
                       status_explicit = CASE WHEN \(change.status == .clear) THEN false
                                              WHEN \(change.status.value != nil) THEN \(hasMeasures)
                                              ELSE status_explicit END,
                       progress = COALESCE(\(change.progress.map(Int32.init)), progress),
                       review_due = CASE WHEN \(!change.reviewDue.isKeep) THEN \(change.reviewDue.value)::date ELSE review_due END,
                       milestones = COALESCE(\(milestones)::jsonb, milestones),
                       updated_at = COALESCE(\(at), now())
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
                    INSERT INTO implementation_notes (item_id, note, author_member, author_admin, created_at)
                    VALUES (\(id), \(note), \(caller.member?.id), \(caller.adminId), COALESCE(\(at), now()))
                    """, logger: logger)
            }
            try await History.record(id, kind: .item, action: "update", note: change.note, before: state, by: caller, at: at,
                                     on: tx, logger: logger)
            // The new values, and what they replace.
            var details: [String: String] = before
            if let lead = change.lead { details["lead"] = lead.joined(separator: " / ") }
            if let timeframe = change.timeframe { details["timeframe"] = timeframe.text() }
            if let status = change.status.value { details["status"] = status.rawValue }
            if change.status == .clear { details["status"] = "derived" }
            if let progress = change.progress { details["progress"] = String(progress) }
            if let note = change.note { details["note"] = note }
            if !change.reviewDue.isKeep { details["review_due"] = change.reviewDue.value ?? "" }
            if let milestones = change.milestones { details["milestones"] = String(milestones.count) }
            try await AuditLog.record("implementation_item.update", workshop: workshop, subject: id, by: caller,
                                      details: details, on: tx, logger: logger)
            return workshop
        }
        guard let item = try await list(of: workshop, for: .moderators).items.first(where: { $0.id == id }) else {
            throw StoreError.notFound("implementation item")
        }
        return item
    }

    public func history(of item: UUID, page: PageRequest) async throws -> Page<HistoryEntry> {
        // Newest first by time, then id; the cursor holds both as "microseconds.id", compared
        // as integers (a Date would round the microseconds of rows written together).
        let parts = page.after?.split(separator: ".").compactMap { Int64($0) } ?? []
        let afterMicros = parts.count == 2 ? parts[0] : nil
        let afterId = parts.count == 2 ? parts[1] : nil
        let rows = try await client.query("""
            SELECT id, at, kind, entity_id, action, changed, state::text AS state, note, actor_member, actor_admin, micros
              FROM (SELECT *, (extract(epoch FROM at) * 1000000)::bigint AS micros
                      FROM implementation_history WHERE item_id = \(item)) h
             WHERE \(afterMicros)::bigint IS NULL OR (micros, id) < (\(afterMicros)::bigint, \(afterId)::bigint)
             ORDER BY at DESC, id DESC LIMIT \(page.limit + 1)
            """, logger: logger)
        let entries = try await rows.all { r -> (key: String, item: HistoryEntry) in
            let member = try r.get("actor_member", as: UUID?.self)
            let admin = try r.get("actor_admin", as: UUID?.self)
            let actor = member.map { HistoryEntry.Actor(kind: .member, id: $0) }
                ?? admin.map { HistoryEntry.Actor(kind: .admin, id: $0) } ?? HistoryEntry.Actor(kind: .commandLine, id: nil)
            let id = try r.get("id", as: Int64.self)
            let entry = HistoryEntry(
                id: id, at: try r.get("at"), kind: try HistoryKind(decoding: try r.get("kind")), entityId: try r.get("entity_id"),
                action: try r.get("action"), changed: try r.get("changed"),
                state: try Self.decoder.decode(RecordedState.self, from: Data(try r.get("state", as: String.self).utf8)),
                note: try r.get("note"), by: actor)
            return ("\(try r.get("micros", as: Int64.self)).\(id)", entry)
        }
        return page.page(entries)
    }

    public func points(of workshop: UUID, from start: Date, to end: Date) async throws -> [UUID: [HistoryPoint]] {
        // Two reads at once, on two connections: the latest state of each entity before the
        // start (one step down the index per item and measure, as in `states`), and the
        // period's changes (a range of the index on time, sql/016). Each arrives as a row
        // per item, put in time order there, not by a sort of every row in the database;
        // all of the first come before all of the second.
        async let before = pointsByItem(Self.latest(Self.pointColumns, of: workshop, before: start))
        async let during = pointsByItem("""
            SELECT \(unescaped: Self.pointColumns) FROM implementation_history h
             WHERE h.workshop_id = \(workshop) AND h.at >= \(start) AND h.at < \(end)
            """)
        var points = try await before
        for (item, changes) in try await during { points[item, default: []] += changes }
        return points
    }

    /// Each item's and measure's latest history row (`h`) before `cut`, with `columns` of it
    /// and of its entity (`e.created_at`, null for items): one step down the index per
    /// entity of the workshop (every one the history can name: neither is ever deleted
    /// apart from its history), instead of reading every row before the cut to keep the latest.
    static func latest(_ columns: String, of workshop: UUID, before cut: Date) -> PostgresQuery {
        """
        WITH entities AS (
            SELECT id, NULL::timestamptz AS created_at FROM implementation_items WHERE workshop_id = \(workshop)
            UNION ALL
            SELECT id, created_at FROM measures WHERE workshop_id = \(workshop)
        )
        SELECT \(unescaped: columns)
          FROM entities e CROSS JOIN LATERAL (
                   SELECT * FROM implementation_history h
                    WHERE h.workshop_id = \(workshop) AND h.entity_id = e.id AND h.at < \(cut)
                    ORDER BY h.at DESC, h.id DESC LIMIT 1) h
        """
    }

    /// The columns of a history row the replay reads (`HistoryPoint`).
    static let pointColumns = "h.id, h.item_id, h.kind, h.entity_id, h.at, h.parent_id, h.status, h.status_explicit, h.progress, h.weight, h.archived"

    /// Those columns gathered per item, one array each, in the order `pointsByItem` reads
    /// them. Arrays hold no nulls (PostgresNIO decodes none): an entity with no parent
    /// names itself, a measure with no weight has 0. Neither can be a real value, as
    /// sql/011 checks `parent_id IS DISTINCT FROM id` and `weight > 0`.
    static let pointArrays = """
        h.item_id, array_agg(h.id), array_agg(h.kind = 'item'), array_agg(h.entity_id), array_agg(h.at),
        array_agg(COALESCE(h.parent_id, h.entity_id)), array_agg(h.status), array_agg(h.status_explicit),
        array_agg(h.progress), array_agg(COALESCE(h.weight, 0)), array_agg(h.archived)
        """

    /// History rows (`pointColumns`) as the replay reads them, each item's in time order.
    /// They arrive as one row of arrays per item: decoding a few hundred rows of arrays
    /// costs a fraction of decoding tens of thousands of rows cell by cell.
    private func pointsByItem(_ rows: PostgresQuery) async throws -> [UUID: [HistoryPoint]] {
        var query = rows
        query.sql = "SELECT \(Self.pointArrays) FROM (\(rows.sql)) h GROUP BY h.item_id"
        var points: [UUID: [HistoryPoint]] = [:]
        for try await row in try await client.query(query, logger: logger) {
            var cells = Cells(row)
            let item = try cells.next(UUID.self), ids = try cells.nextList(of: Int64.self), isItem = try cells.nextList(of: Bool.self)
            let entities = try cells.nextList(of: UUID.self), ats = try cells.nextList(of: Date.self)
            let parents = try cells.nextList(of: UUID.self), statuses = try cells.nextList(of: String.self)
            let explicit = try cells.nextList(of: Bool.self), progress = try cells.nextList(of: Int32.self)
            let weights = try cells.nextList(of: Double.self), archived = try cells.nextList(of: Bool.self)
            let counts = [isItem.count, entities.count, ats.count, parents.count, statuses.count, explicit.count,
                          progress.count, weights.count, archived.count]
            guard counts.allSatisfy({ $0 == ids.count }) else { throw Cells.Misaligned() }
            let order = ids.indices.sorted { (ats[$0], ids[$0]) < (ats[$1], ids[$1]) }
            points[item] = try order.map { i in
                let state = RecordedState(parentId: parents[i] == entities[i] ? nil : parents[i],
                                          status: try ImplementationStatus(decoding: statuses[i]), statusExplicit: explicit[i],
                                          progress: Int(progress[i]), weight: weights[i] == 0 ? nil : weights[i],
                                          archived: archived[i])
                return HistoryPoint(kind: isItem[i] ? .item : .measure, entityId: entities[i], at: ats[i], state: state)
            }
        }
        return points
    }
}

/// Appending to `implementation_history` (sql/011_measures.sql, `record_implementation_state`).
enum History {
    /// Records the entity's state after a change, in the change's transaction. `before`
    /// is its state before the change: kept as its first row when it has none yet.
    static func record(_ entity: UUID, kind: HistoryKind, action: String, note: String?, before: String?, by caller: Caller,
                       at: Date?, on tx: PostgresConnection, logger: Logger) async throws {
        try await tx.query("""
            SELECT record_implementation_state(\(entity), \(kind.rawValue), \(action), \(note), \(caller.member?.id),
                                               \(caller.adminId), COALESCE(\(at), now()), \(before)::jsonb)
            """, logger: logger)
    }
}
