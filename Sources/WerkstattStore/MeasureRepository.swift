import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// A live measure's place: its item and workshop.
public struct MeasureRef: Sendable, Equatable {
    public var id: UUID
    public var itemId: UUID
    public var workshopId: UUID

    public init(id: UUID, itemId: UUID, workshopId: UUID) {
        self.id = id; self.itemId = itemId; self.workshopId = workshopId
    }
}

/// Measures (Maßnahmen) under implementation items. Every write locks the item's row, so
/// changes to one item's tree are serialised (the cycle check reads a tree nobody changes
/// meanwhile), and appends the measure's new state to `implementation_history`.
public protocol MeasureRepository: Sendable {
    /// A live (not archived) measure.
    func get(_ id: UUID) async throws -> MeasureRef?
    /// The live measures of an item.
    func records(ofItem item: UUID) async throws -> [MeasureRecord]
    func create(_ new: NewMeasure, in item: UUID, by caller: Caller, at: Date?) async throws -> UUID
    func update(_ id: UUID, with change: MeasureChange, by caller: Caller, at: Date?) async throws
    /// Hangs the measure under `parent` (a measure of the same item) or the item itself.
    func move(_ id: UUID, to parent: UUID?, by caller: Caller, at: Date?) async throws
    /// Archives the measure and everything below it; their rows and history stay.
    func archive(_ id: UUID, by caller: Caller, at: Date?) async throws
}

public struct PostgresMeasureRepository: MeasureRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let decoder = JSONDecoder()

    public func get(_ id: UUID) async throws -> MeasureRef? {
        let rows = try await client.query("""
            SELECT id, item_id, workshop_id FROM measures WHERE id = \(id) AND archived_at IS NULL
            """, logger: logger)
        for try await (id, item, workshop) in rows.decode((UUID, UUID, UUID).self) {
            return MeasureRef(id: id, itemId: item, workshopId: workshop)
        }
        return nil
    }

    /// The state columns `measure_state` records, read from the row.
    static let columns = """
        id, item_id, created_at, parent_id, title, lead, timeframe_kind, timeframe_year, timeframe_to_year, status,
        status_explicit, progress, weight, review_due::text AS review_due, milestones::text AS milestones
        """

    static func state(_ r: PostgresRandomAccessRow) throws -> RecordedState {
        try r.recordedState(milestones: try decoder.decode([Milestone].self, from: Data(try r.get("milestones", as: String.self).utf8)))
    }

    /// Measures by item, each item's in creation order (ties by id in the order of its
    /// text, compared on the bytes: `UUID.precedes`).
    static func grouped(_ rows: [(item: UUID, id: UUID, created: Date, state: RecordedState)]) -> [UUID: [MeasureRecord]] {
        var result: [UUID: [MeasureRecord]] = [:]
        // Positions sorted, not the rows (each holds a whole state).
        let sorted = rows.indices.sorted { a, b in
            rows[a].created != rows[b].created ? rows[a].created < rows[b].created : rows[a].id.precedes(rows[b].id)
        }
        for (order, position) in sorted.enumerated() {
            let row = rows[position]
            result[row.item, default: []].append(MeasureRecord(id: row.id, state: row.state, order: order))
        }
        return result
    }

    /// The live measures of a workshop, by item.
    func records(in workshop: UUID) async throws -> [UUID: [MeasureRecord]] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns) FROM measures WHERE workshop_id = \(workshop) AND archived_at IS NULL
            """, logger: logger)
        return Self.grouped(try await rows.all { r in
            (try r.get("item_id", as: UUID.self), try r.get("id", as: UUID.self), try r.get("created_at", as: Date.self),
             try Self.state(r))
        })
    }

    public func records(ofItem item: UUID) async throws -> [MeasureRecord] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns) FROM measures WHERE item_id = \(item) AND archived_at IS NULL
            """, logger: logger)
        return Self.grouped(try await rows.all { r in
            (item, try r.get("id", as: UUID.self), try r.get("created_at", as: Date.self), try Self.state(r))
        })[item] ?? []
    }

    /// Locks the item and reads its live measures' parents: the tree a structural change checks.
    private func lockTree(of item: UUID, on tx: PostgresConnection) async throws -> (workshop: UUID, parents: [UUID: UUID?]) {
        let locked = try await tx.query("SELECT workshop_id FROM implementation_items WHERE id = \(item) FOR UPDATE", logger: logger)
        guard let workshop = try await locked.all({ try $0.get("workshop_id", as: UUID.self) }).first else {
            throw StoreError.notFound("implementation item")
        }
        let rows = try await tx.query("""
            SELECT id, parent_id FROM measures WHERE item_id = \(item) AND archived_at IS NULL
            """, logger: logger)
        var parents: [UUID: UUID?] = [:]
        for try await (id, parent) in rows.decode((UUID, UUID?).self) { parents[id] = parent }
        return (workshop, parents)
    }

    /// 422 naming `parent_id` unless it is nil or a live measure of this item.
    private static func checkParent(_ parent: UUID?, in parents: [UUID: UUID?]) throws {
        if let parent, parents[parent] == nil {
            throw StoreError.invalid([FieldError("parent_id", "is no measure of this implementation item")])
        }
    }

    private func item(of measure: UUID) async throws -> UUID {
        guard let ref = try await get(measure) else { throw StoreError.notFound("measure") }
        return ref.itemId
    }

    public func create(_ new: NewMeasure, in item: UUID, by caller: Caller, at: Date?) async throws -> UUID {
        try await client.withTransaction(logger: logger) { tx in
            let (workshop, parents) = try await lockTree(of: item, on: tx)
            try Self.checkParent(new.parentId, in: parents)
            let milestones = String(decoding: try JSONEncoder().encode(new.milestones ?? []), as: UTF8.self)
            let rows = try await tx.query("""
                INSERT INTO measures (workshop_id, item_id, parent_id, title, lead, timeframe_kind, timeframe_year,
                                      timeframe_to_year, status, progress, weight, review_due, milestones, created_at, updated_at)
                VALUES (\(workshop), \(item), \(new.parentId), \(new.title), \(new.lead ?? []), \(new.timeframe?.kind.rawValue),
                        \(new.timeframe?.year.map(Int32.init)), \(new.timeframe?.toYear.map(Int32.init)),
                        \(new.status?.rawValue ?? ImplementationStatus.planned.rawValue), \(Int32(new.progress ?? 0)),
                        \(new.weight), \(new.reviewDue)::date, \(milestones)::jsonb, COALESCE(\(at), now()), COALESCE(\(at), now()))
                RETURNING id
                """, logger: logger)
            guard let id = try await rows.all({ try $0.get("id", as: UUID.self) }).first else {
                throw StoreError.unavailable("the measure was not stored")
            }
            try await History.record(id, kind: .measure, action: "create", note: nil, before: nil, by: caller, at: at,
                                     on: tx, logger: logger)
            try await AuditLog.record("measure.create", workshop: workshop, subject: id, by: caller,
                                      details: ["item": item.uuidString.lowercased(), "title": new.title], on: tx, logger: logger)
            return id
        }
    }

    public func update(_ id: UUID, with change: MeasureChange, by caller: Caller, at: Date?) async throws {
        let item = try await item(of: id)
        try await client.withTransaction(logger: logger) { tx in
            let (workshop, parents) = try await lockTree(of: item, on: tx)
            guard parents[id] != nil else { throw StoreError.notFound("measure") }
            let hasChildren = parents.values.contains { $0 == id }
            if change.progress != nil && hasChildren {
                throw StoreError.conflict("this measure's progress is rolled up from its sub-measures; report progress on them")
            }
            let milestones = try change.milestones.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            let timeframe = change.timeframe.value
            // As for items: a status set by hand is explicit only over sub-measures; `null` lets it follow them.
            try await tx.query("""
                UPDATE measures
                   SET title = COALESCE(\(change.title), title),
                       lead = COALESCE(\(change.lead), lead),
                       timeframe_kind = CASE WHEN \(!change.timeframe.isKeep) THEN \(timeframe?.kind.rawValue) ELSE timeframe_kind END,
                       timeframe_year = CASE WHEN \(!change.timeframe.isKeep) THEN \(timeframe?.year.map(Int32.init)) ELSE timeframe_year END,
                       timeframe_to_year = CASE WHEN \(!change.timeframe.isKeep) THEN \(timeframe?.toYear.map(Int32.init)) ELSE timeframe_to_year END,
                       status = COALESCE(\(change.status.value?.rawValue), status),
                       status_explicit = CASE WHEN \(change.status == .clear) THEN false
                                              WHEN \(change.status.value != nil) THEN \(hasChildren)
                                              ELSE status_explicit END,
                       progress = COALESCE(\(change.progress.map(Int32.init)), progress),
                       weight = CASE WHEN \(!change.weight.isKeep) THEN \(change.weight.value) ELSE weight END,
                       review_due = CASE WHEN \(!change.reviewDue.isKeep) THEN \(change.reviewDue.value)::date ELSE review_due END,
                       milestones = COALESCE(\(milestones)::jsonb, milestones),
                       updated_at = COALESCE(\(at), now())
                 WHERE id = \(id)
                """, logger: logger)
            try await History.record(id, kind: .measure, action: "update", note: change.note, before: nil, by: caller, at: at,
                                     on: tx, logger: logger)
            try await AuditLog.record("measure.update", workshop: workshop, subject: id, by: caller, on: tx, logger: logger)
        }
    }

    public func move(_ id: UUID, to parent: UUID?, by caller: Caller, at: Date?) async throws {
        let item = try await item(of: id)
        try await client.withTransaction(logger: logger) { tx in
            let (workshop, parents) = try await lockTree(of: item, on: tx)
            guard parents[id] != nil else { throw StoreError.notFound("measure") }
            try Self.checkParent(parent, in: parents)
            if MeasureTree.wouldCycle(moving: id, to: parent, parents: parents) {
                throw StoreError.invalid([FieldError("parent_id", "is this measure or lies below it: moving there would make a cycle")])
            }
            try await tx.query("""
                UPDATE measures SET parent_id = \(parent), updated_at = COALESCE(\(at), now()) WHERE id = \(id)
                """, logger: logger)
            try await History.record(id, kind: .measure, action: "move", note: nil, before: nil, by: caller, at: at,
                                     on: tx, logger: logger)
            try await AuditLog.record("measure.move", workshop: workshop, subject: id, by: caller,
                                      details: ["parent": parent?.uuidString.lowercased() ?? ""], on: tx, logger: logger)
        }
    }

    public func archive(_ id: UUID, by caller: Caller, at: Date?) async throws {
        let item = try await item(of: id)
        try await client.withTransaction(logger: logger) { tx in
            let (workshop, parents) = try await lockTree(of: item, on: tx)
            guard parents[id] != nil else { throw StoreError.notFound("measure") }
            for measure in MeasureTree.subtree(of: id, parents: parents).sorted(by: { $0.uuidString < $1.uuidString }) {
                try await tx.query("""
                    UPDATE measures SET archived_at = COALESCE(\(at), now()), updated_at = COALESCE(\(at), now())
                     WHERE id = \(measure)
                    """, logger: logger)
                try await History.record(measure, kind: .measure, action: "archive", note: nil, before: nil, by: caller,
                                         at: at, on: tx, logger: logger)
            }
            try await AuditLog.record("measure.archive", workshop: workshop, subject: id, by: caller, on: tx, logger: logger)
        }
    }
}
