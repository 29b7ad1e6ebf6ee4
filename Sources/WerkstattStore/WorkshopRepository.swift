import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Workshops: creating, listing, reading and moving through phases.
public protocol WorkshopRepository: Sendable {
    func create(_ new: NewWorkshop, by caller: Caller) async throws -> Workshop
    /// Every workshop for an admin; a member sees only their own.
    func list(visibleTo caller: Caller, page: PageRequest) async throws -> Page<Workshop>
    func get(_ id: UUID) async throws -> Workshop?
    func get(slug: String) async throws -> Workshop?
    /// Moves the phase, if the move is allowed from the current phase (checked under a row
    /// lock); 409 when it would leave `voting` while a round is open.
    func setPhase(_ id: UUID, to phase: Phase, by caller: Caller) async throws -> Workshop
    /// Changes the workshop's settings; a new k has every round of the workshop recounted.
    func update(_ id: UUID, with change: WorkshopChange, by caller: Caller) async throws -> Workshop
}

public struct PostgresWorkshopRepository: WorkshopRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let columns = """
        id, seq, slug, title, description, region, starts_on::text AS starts_on,
        ends_on::text AS ends_on, phase, public_report, min_group_size, opinion_min_stances, created_at, updated_at
        """

    static func workshop(_ r: PostgresRandomAccessRow) throws -> Workshop {
        Workshop(id: try r.get("id"), slug: try r.get("slug"), title: try r.get("title"),
                 description: try r.get("description"), region: try r.get("region"),
                 startsOn: try r.get("starts_on"), endsOn: try r.get("ends_on"),
                 phase: try Phase(decoding: try r.get("phase")), publicReport: try r.get("public_report"),
                 minGroupSize: Int(try r.get("min_group_size", as: Int32.self)),
                 opinionMinStances: Int(try r.get("opinion_min_stances", as: Int32.self)), createdAt: try r.get("created_at"), updatedAt: try r.get("updated_at"))
    }

    public func create(_ new: NewWorkshop, by caller: Caller) async throws -> Workshop {
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let rows = try await tx.query("""
                    INSERT INTO workshops (slug, title, description, region, starts_on, ends_on, public_report, min_group_size,
                                           opinion_min_stances)
                    VALUES (\(new.slug), \(new.title), \(new.description), \(new.region),
                            \(new.startsOn)::date, \(new.endsOn)::date, \(new.publicReport ?? false),
                            \(Int32(new.minGroupSize ?? Workshop.defaultMinGroupSize)),
                            \(Int32(new.opinionMinStances ?? Workshop.defaultOpinionMinStances)))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                let workshop = try await rows.all(Self.workshop)[0]
                try await AuditLog.record("workshop.create", workshop: workshop.id, subject: workshop.id,
                                          by: caller, details: ["slug": new.slug], on: tx, logger: logger)
                return workshop
            }
        } catch {
            throw StoreError.translating(error, uniqueMessages: [
                "workshops_slug_key": "a workshop with slug '\(new.slug)' already exists",
            ])
        }
    }

    public func list(visibleTo caller: Caller, page: PageRequest) async throws -> Page<Workshop> {
        let onlyWorkshop = caller.member?.workshopId
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns) FROM workshops
             WHERE seq > \(page.afterSeq) AND (\(onlyWorkshop)::uuid IS NULL OR id = \(onlyWorkshop))
             ORDER BY seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.workshop($0)) })
    }

    public func get(_ id: UUID) async throws -> Workshop? {
        var found: Workshop?
        for try await workshop in try await client.execute(WorkshopById(id: id), logger: logger) { found = workshop }
        return found
    }

    public func get(slug: String) async throws -> Workshop? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM workshops WHERE slug = \(slug)", logger: logger)
        return try await rows.all(Self.workshop).first
    }

    public func setPhase(_ id: UUID, to phase: Phase, by caller: Caller) async throws -> Workshop {
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let current = try await tx.query(
                    "SELECT phase FROM workshops WHERE id = \(id) FOR UPDATE", logger: logger)
                guard let from = try await current.all({ try Phase(decoding: try $0.get("phase")) }).first else {
                    throw StoreError.notFound("workshop")
                }
                guard from == phase || from.mayMove(to: phase) else {
                    throw StoreError.conflict(
                        "a workshop moves forward, or back one step only; it cannot go from '\(from.rawValue)' to '\(phase.rawValue)'")
                }
                if from == .voting && phase != .voting {
                    // Opening a round locks the workshop row too, so none opens meanwhile.
                    let open = try await tx.query("""
                        SELECT title, id FROM rounds WHERE workshop_id = \(id) AND state = 'open' ORDER BY seq
                        """, logger: logger)
                    let rounds = try await open.all { "'\(try $0.get("title", as: String.self))' (\(try $0.get("id", as: UUID.self).text))" }
                    if !rounds.isEmpty {
                        throw StoreError.conflict(
                            "the workshop cannot leave voting while rounds are open; close them first: \(rounds.joined(separator: ", "))")
                    }
                }
                let rows = try await tx.query("""
                    UPDATE workshops SET phase = \(phase.rawValue), updated_at = now() WHERE id = \(id)
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                // Read now: a refusal of the schema's (a closed workshop stays closed) arrives with the rows.
                let workshop = try await rows.all(Self.workshop)[0]
                if from != phase {
                    try await AuditLog.record("workshop.phase", workshop: id, subject: id, by: caller,
                                              details: ["from": from.rawValue, "to": phase.rawValue],
                                              on: tx, logger: logger)
                }
                return workshop
            }
        } catch {
            // A closed workshop stays closed (trigger workshops_stay_closed): 409.
            throw StoreError.translating(error)
        }
    }

    public func update(_ id: UUID, with change: WorkshopChange, by caller: Caller) async throws -> Workshop {
        try await client.withTransaction(logger: logger) { tx in
            let old = try await tx.query(
                "SELECT min_group_size, opinion_min_stances FROM workshops WHERE id = \(id) FOR UPDATE", logger: logger)
            guard let (oldK, oldMinStances) = try await old.all({
                (try $0.get("min_group_size", as: Int32.self), try $0.get("opinion_min_stances", as: Int32.self))
            }).first else {
                throw StoreError.notFound("workshop")
            }
            let newK = change.minGroupSize.map(Int32.init)
            let newMinStances = change.opinionMinStances.map(Int32.init)
            // A new k or minimum of stances redraws the opinion map (trigger workshops_opinion_map).
            let rows = try await tx.query("""
                UPDATE workshops SET min_group_size = COALESCE(\(newK), min_group_size),
                       opinion_min_stances = COALESCE(\(newMinStances), opinion_min_stances),
                       public_report = COALESCE(\(change.publicReport), public_report), updated_at = now()
                 WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            let workshop = try await rows.all(Self.workshop)[0]
            if let newK, newK != oldK {
                // Snapshots carry the k they were computed with: recount every round with votes.
                try await tx.query("""
                    SELECT mark_rounds_dirty(ARRAY(SELECT id FROM rounds WHERE workshop_id = \(id) AND state <> 'draft'
                                                            AND history_pruned_at IS NULL))
                    """, logger: logger)
            }
            var details: [String: String] = [:]
            if let newK { details["min_group_size"] = "\(oldK) → \(newK)" }
            if let newMinStances { details["opinion_min_stances"] = "\(oldMinStances) → \(newMinStances)" }
            if let publicReport = change.publicReport { details["public_report"] = "\(publicReport)" }
            try await AuditLog.record("workshop.update", workshop: id, subject: id, by: caller, details: details,
                                      on: tx, logger: logger)
            return workshop
        }
    }
}

/// A workshop by its id: nearly every request of a workshop's members reads it (to check
/// access), so it is prepared once per connection rather than parsed and planned each time.
struct WorkshopById: PostgresPreparedStatement {
    static let sql = "SELECT \(PostgresWorkshopRepository.columns) FROM workshops WHERE id = $1"

    var id: UUID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Workshop {
        try PostgresWorkshopRepository.workshop(row.makeRandomAccess())
    }
}
