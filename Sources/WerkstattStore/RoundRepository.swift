import Foundation
import Logging
import PostgresNIO
import WerkstattDomain
import WerkstattVoting

/// Voting rounds, their ballots and the snapshots the worker computed for them.
public protocol RoundRepository: Sendable {
    func create(_ new: NewRound, in workshop: UUID, by caller: Caller) async throws -> Round
    func list(in workshop: UUID, page: PageRequest) async throws -> Page<Round>
    func get(_ id: UUID) async throws -> Round?
    /// Moves a round from `from` to `to` (draft → open → closed), or 409.
    func transition(_ id: UUID, from: Round.State, to: Round.State, by caller: Caller) async throws -> Round
    /// Records the member's ballot in the round it was admitted to, as a new version,
    /// committed before it returns (with ballots cast at the same moment, in one
    /// transaction); nil when the round is not open or its workshop not voting.
    func cast(_ ballot: AdmittedBallot, by member: UUID) async throws -> BallotReceipt?
    /// Withdraws the member's ballot: false when there was none; nil when the round takes
    /// no ballots (the same rule as `cast`).
    func withdraw(in round: UUID, by member: UUID) async throws -> Bool?
    /// The member's own current ballot.
    func ballot(in round: UUID, of member: UUID) async throws -> BallotReceipt?
    /// Which snapshot `audience` is given of the round's standing: the latest published
    /// one (marked shown, so retention keeps it), none yet, or none at all for a reader who
    /// may not see an open round's standing.
    func standing(of round: Round, for audience: Audience) async throws -> Standing
    /// The round's ranking as that snapshot holds it; nil when there is no such snapshot.
    func ranking(of round: Round, snapshot: SnapshotRef) async throws -> Ranking?
    /// The round's final snapshot that has its audit text; nil before it is computed.
    func finalSnapshot(of round: Round) async throws -> SnapshotRef?
    /// That snapshot's canonical text, with the snapshot; nil when there is no such one.
    func audit(of round: Round, snapshot: SnapshotRef) async throws -> RoundAudit?
    /// Forgets who cast the ballots of a closed round whose final count is kept (its
    /// audit text): ballot history without member ids, current ballots deleted. Returns
    /// the history rows pruned; 409 for a round that is not closed or not yet counted.
    func pruneHistory(of round: UUID, by caller: Caller) async throws -> Int
}

extension RoundRepository {
    /// What `audience` may see of the round's standing: the latest published snapshot, an
    /// empty ranking before the first, or nothing (`withheld: until_close`).
    public func ranking(of round: Round, for audience: Audience) async throws -> Ranking {
        try await ranking(of: round, standing: try await standing(of: round, for: audience))
    }

    /// The ranking a reader is given for `standing` (`standing(of:for:)`).
    public func ranking(of round: Round, standing: Standing) async throws -> Ranking {
        switch standing {
        case .withheld: return .withheldUntilClose(round)
        case .notYetComputed: return .notYetComputed(round)
        case .snapshot(let snapshot):
            // Marked shown: retention never removes it.
            guard let ranking = try await ranking(of: round, snapshot: snapshot) else {
                throw StoreError.notFound("ranking snapshot")
            }
            return ranking
        }
    }

    /// The final snapshot's canonical text, with that snapshot; nil before it is computed.
    public func audit(of round: Round) async throws -> RoundAudit? {
        guard let snapshot = try await finalSnapshot(of: round) else { return nil }
        return try await audit(of: round, snapshot: snapshot)
    }
}

public struct PostgresRoundRepository: RoundRepository {
    let client: PostgresClient
    let logger: Logger
    /// The process's one writer, so concurrent ballots meet in one batch; nil where none
    /// runs (the commands, which cast one ballot at a time): each ballot is then written
    /// alone, by the same statement. Either way the caller hears only after COMMIT.
    let ballots: BallotWriter?

    public init(client: PostgresClient, logger: Logger, ballots: BallotWriter? = nil) {
        self.client = client
        self.logger = logger
        self.ballots = ballots
    }

    /// The channel on which casting a ballot or closing a round wakes the workers.
    public static let channel = "werkstatt_round_changes"

    static let select = """
        SELECT r.id, r.seq, r.workshop_id, r.title, r.criterion, r.method, r.points_per_member,
               r.max_points_per_item, r.balance::text AS balance, r.results, r.state, r.opened_at, r.closed_at, r.created_at,
               ARRAY(SELECT i.recommendation_id FROM round_items i WHERE i.round_id = r.id ORDER BY i.position)
                   AS recommendation_ids
          FROM rounds r
        """

    static func round(_ r: PostgresRandomAccessRow) throws -> Round {
        let balanceJSON: String = try r.get("balance")
        return Round(
            id: try r.get("id"), workshopId: try r.get("workshop_id"), title: try r.get("title"),
            criterion: try r.get("criterion"), method: try VotingMethod(decoding: try r.get("method")),
            pointsPerMember: try r.get("points_per_member", as: Int32?.self).map(Int.init),
            maxPointsPerItem: try r.get("max_points_per_item", as: Int32?.self).map(Int.init),
            balance: try JSONDecoder().decode(Balance.self, from: Data(balanceJSON.utf8)),
            results: try ResultsVisibility(decoding: try r.get("results")),
            state: try Round.State(decoding: try r.get("state")),
            recommendationIds: try r.get("recommendation_ids"),
            openedAt: try r.get("opened_at"), closedAt: try r.get("closed_at"), createdAt: try r.get("created_at"))
    }

    public func create(_ new: NewRound, in workshop: UUID, by caller: Caller) async throws -> Round {
        let balance = String(decoding: try JSONEncoder().encode(new.balance ?? .proportional), as: UTF8.self)
        // A dot round stores its numbers with the defaults filled in; other rounds have none.
        let (points, maxPerItem): (Int32?, Int32?) = switch new.votingMethod {
        case .dot(let points, let maxPerItem): (Int32(points), Int32(maxPerItem))
        case .approval, .score, .ranking: (nil, nil)
        }
        do {
            return try await client.withTransaction(logger: logger) { tx in
                let inserted = try await tx.query("""
                    INSERT INTO rounds (workshop_id, title, criterion, method, points_per_member,
                                        max_points_per_item, balance, results, created_by)
                    VALUES (\(workshop), \(new.title), \(new.criterion), \(new.method.rawValue), \(points),
                            \(maxPerItem), \(balance)::jsonb, \((new.results ?? .afterClose).rawValue), \(caller.member?.id))
                    RETURNING id
                    """, logger: logger)
                let id: UUID = try await inserted.all { try $0.get("id") }[0]
                // Without a list, the round covers every recommendation of the workshop. The
                // items' positions (sql/010), which ballots refer to, follow the workshop's order.
                let items = try await tx.query("""
                    INSERT INTO round_items (round_id, workshop_id, recommendation_id, position)
                    SELECT \(id), \(workshop), rec.id, row_number() OVER (ORDER BY rec.seq) - 1 FROM recommendations rec
                     WHERE rec.workshop_id = \(workshop)
                       AND (\(new.recommendationIds)::uuid[] IS NULL OR rec.id = ANY(\(new.recommendationIds)::uuid[]))
                    RETURNING recommendation_id
                    """, logger: logger)
                let covered = try await items.all { try $0.get("recommendation_id", as: UUID.self) }
                if let wanted = new.recommendationIds, covered.count != wanted.count {
                    let unknown = Set(wanted).subtracting(covered).map(\.text).sorted()
                    throw StoreError.invalid([FieldError("recommendation_ids",
                        "names recommendations this workshop does not have: \(unknown.joined(separator: ", "))")])
                }
                if covered.isEmpty {
                    throw StoreError.invalid([FieldError("recommendation_ids", "the workshop has no recommendations to vote on yet")])
                }
                if covered.count > Round.maxItems {
                    throw StoreError.invalid([FieldError("recommendation_ids",
                        "a round holds at most \(Round.maxItems) recommendations; this one would hold \(covered.count): list the ones to vote on")])
                }
                try await tx.query("INSERT INTO round_queue (round_id) VALUES (\(id))", logger: logger)
                try await AuditLog.record("round.create", workshop: workshop, subject: id, by: caller,
                                          details: ["method": new.method.rawValue, "title": new.title], on: tx, logger: logger)
                let rows = try await tx.query("\(unescaped: Self.select) WHERE r.id = \(id)", logger: logger)
                return try await rows.all(Self.round)[0]
            }
        } catch {
            throw StoreError.translating(error)
        }
    }

    public func list(in workshop: UUID, page: PageRequest) async throws -> Page<Round> {
        let rows = try await client.query("""
            \(unescaped: Self.select)
             WHERE r.workshop_id = \(workshop) AND r.seq > \(page.afterSeq) ORDER BY r.seq LIMIT \(page.limit + 1)
            """, logger: logger)
        return page.page(try await rows.all { (String(try $0.get("seq", as: Int64.self)), try Self.round($0)) })
    }

    /// Prepared: every read of a round, its ranking and its audit text starts here.
    public func get(_ id: UUID) async throws -> Round? {
        for try await row in try await client.execute(RoundById(id: id), logger: logger) {
            return try Self.round(row)
        }
        return nil
    }

    public func transition(_ id: UUID, from: Round.State, to: Round.State, by caller: Caller) async throws -> Round {
        try await client.withTransaction(logger: logger) { tx in
            if to == .open {
                // A round opens only while its workshop votes; the share lock keeps the
                // workshop from leaving `voting` meanwhile (setPhase locks it for update).
                let phase = try await tx.query("""
                    SELECT w.phase FROM workshops w JOIN rounds r ON r.workshop_id = w.id WHERE r.id = \(id)
                       FOR SHARE OF w
                    """, logger: logger)
                if let current = try await phase.all({ try Phase(decoding: try $0.get("phase")) }).first,
                   !current.allows(.vote) {
                    throw StoreError.conflict("the workshop is \(current.rawValue); rounds open only while it is voting")
                }
            }
            // The row lock waits for ballots being cast (they hold FOR SHARE) to commit, so
            // every ballot acknowledged before the close is in the final snapshot.
            let updated = try await tx.query("""
                UPDATE rounds SET state = \(to.rawValue),
                       opened_at = CASE WHEN \(to.rawValue) = 'open' THEN now() ELSE opened_at END,
                       closed_at = CASE WHEN \(to.rawValue) = 'closed' THEN now() ELSE closed_at END
                 WHERE id = \(id) AND state = \(from.rawValue)
                RETURNING workshop_id
                """, logger: logger)
            guard let workshop = try await updated.all({ try $0.get("workshop_id", as: UUID.self) }).first else {
                let current = try await tx.query("SELECT state FROM rounds WHERE id = \(id)", logger: logger)
                let state = try await current.all { try $0.get("state", as: String.self) }.first ?? "unknown"
                throw StoreError.conflict("the round is \(state); only a \(from.rawValue) round can become \(to.rawValue)")
            }
            if to == .closed {
                try await Self.refuseWeightlessClose(id, on: tx, logger: logger)
                // Each ballot keeps the group it is counted in from now on (sql/008).
                try await tx.query("""
                    UPDATE ballots b SET stakeholder_group = g.stakeholder_group
                      FROM member_groups g WHERE g.member_id = b.member_id AND b.round_id = \(id)
                    """, logger: logger)
                // The final, non-provisional snapshot.
                try await tx.query("SELECT mark_rounds_dirty(ARRAY[\(id)]::uuid[])", logger: logger)
            }
            try await AuditLog.record("round.\(to.rawValue)", workshop: workshop, subject: id, by: caller,
                                      on: tx, logger: logger)
            let rows = try await tx.query("\(unescaped: Self.select) WHERE r.id = \(id)", logger: logger)
            return try await rows.all(Self.round)[0]
        }
    }

    /// A custom balance whose shares all go to groups that cast no ballot would weigh every
    /// ballot 0 and tie every item at rank 1: such a round does not close (409).
    static func refuseWeightlessClose(_ id: UUID, on tx: PostgresConnection, logger: Logger) async throws {
        let rows = try await tx.query("""
            SELECT r.balance::text AS balance, g.stakeholder_group, count(*) AS ballots
              FROM rounds r
              JOIN ballots b ON b.round_id = r.id AND b.entries IS NOT NULL
              JOIN member_groups g ON g.member_id = b.member_id
             WHERE r.id = \(id)
             GROUP BY 1, 2
            """, logger: logger)
        var balanceJSON = "\"proportional\""
        var counts: [StakeholderGroup: Int] = [:]
        for (balance, group, ballots) in try await rows.all({ r in
            (try r.get("balance", as: String.self), try StakeholderGroup(decoding: try r.get("stakeholder_group")),
             Int(try r.get("ballots", as: Int64.self)))
        }) {
            balanceJSON = balance
            counts[group] = ballots
        }
        let balance = try JSONDecoder().decode(Balance.self, from: Data(balanceJSON.utf8))
        if Weights.isWeightless(balance: balance, ballotsPerGroup: counts) {
            let voted = counts.keys.sorted().map(\.rawValue).joined(separator: ", ")
            throw StoreError.conflict("""
                the round cannot close: its custom balance gives weight only to stakeholder groups that cast no \
                ballot, and the ballots came from \(voted); every item would tie at rank 1. It closes once a \
                member of a group with a share has voted
                """)
        }
    }

    public func cast(_ ballot: AdmittedBallot, by member: UUID) async throws -> BallotReceipt? {
        let content = String(decoding: try JSONEncoder().encode(ballot.body), as: UTF8.self)
        let write = BallotWriter.Ballot(round: ballot.round, member: member, content: content, entries: ballot.entries)
        guard let ballots else { return try await BallotWriter.write(write, client: client, logger: logger) }
        return try await ballots.write(write)
    }

    public func withdraw(in round: UUID, by member: UUID) async throws -> Bool? {
        let counts = try await client.write("""
            WITH open AS (
                SELECT t.id FROM rounds_taking_ballots(ARRAY[\(round)]::uuid[]) AS t(id)
            ), current AS (
                UPDATE ballots SET version = version + 1, content = NULL, entries = NULL, recorded_at = now()
                 WHERE round_id = \(round) AND member_id = \(member) AND content IS NOT NULL
                   AND EXISTS (SELECT 1 FROM open)
                RETURNING version, recorded_at
            ), history AS (
                INSERT INTO ballot_history (round_id, member_id, version, content, recorded_at)
                SELECT \(round), \(member), version, NULL, recorded_at FROM current
            )
            SELECT (SELECT count(*) FROM open) AS open, (SELECT count(*) FROM current) AS withdrawn,
                   (SELECT mark_rounds_dirty(ARRAY[\(round)]::uuid[]) FROM current) IS NULL AS quiet
            """, logger: logger) {
            (try $0.get("open", as: Int64.self), try $0.get("withdrawn", as: Int64.self))
        }
        let (open, withdrawn) = counts[0]
        guard open > 0 else { return nil }
        return withdrawn > 0
    }

    public func ballot(in round: UUID, of member: UUID) async throws -> BallotReceipt? {
        let rows = try await client.query("""
            SELECT version, recorded_at, content::text AS content FROM ballots
             WHERE round_id = \(round) AND member_id = \(member) AND content IS NOT NULL
            """, logger: logger)
        return try await rows.all {
            BallotReceipt(roundId: round, version: Int(try $0.get("version", as: Int32.self)),
                          recordedAt: try $0.get("recorded_at"),
                          ballot: try JSONDecoder().decode(BallotBody.self, from: Data(try $0.get("content", as: String.self).utf8)))
        }.first
    }

    static let snapshotColumns = """
        id, computed_at, ballots_counted, digest, provisional, min_group_size, withheld_groups, late_members,
        items::text AS items
        """

    static func ranking(_ r: PostgresRandomAccessRow, of round: Round) throws -> Ranking {
        Ranking(roundId: round.id, method: round.method, balance: round.balance,
                computedAt: try r.get("computed_at"),
                ballotsCounted: Int(try r.get("ballots_counted", as: Int32.self)),
                digest: try r.get("digest"), provisional: try r.get("provisional"),
                minGroupSize: Int(try r.get("min_group_size", as: Int32.self)),
                withheldGroups: try r.get("withheld_groups"),
                lateMembers: Int(try r.get("late_members", as: Int32.self)),
                items: try JSONDecoder().decode([RankingItem].self, from: Data(try r.get("items", as: String.self).utf8)))
    }

    public func standing(of round: Round, for audience: Audience) async throws -> Standing {
        guard round.showsStanding(to: audience) else { return .withheld }
        // Of a closed round, only its final count: between the close and the worker's final
        // snapshot, the last provisional one must not be seen by anyone who never saw it.
        let current = CurrentSnapshot(round: round.id, finalOnly: Round.showsOnlyFinal(state: round.state, to: audience))
        // Retention may remove a snapshot between this read and its mark only once a newer
        // one is published: then the newer one is read (and marked) instead.
        while true {
            var found: (SnapshotRef, shown: Bool)?
            for try await row in try await client.execute(current, logger: logger) { found = row }
            guard let (snapshot, shown) = found else { return .notYetComputed }
            if try await client.markShown(snapshot.id, shown: shown, logger: logger) { return .snapshot(snapshot) }
        }
    }

    public func ranking(of round: Round, snapshot: SnapshotRef) async throws -> Ranking? {
        for try await row in try await client.execute(SnapshotById(id: snapshot.id), logger: logger) {
            return try Self.ranking(row, of: round)
        }
        return nil
    }

    public func pruneHistory(of round: UUID, by caller: Caller) async throws -> Int {
        do {
            return try await prune(round, by: caller)
        } catch {
            throw StoreError.translating(error)
        }
    }

    private func prune(_ round: UUID, by caller: Caller) async throws -> Int {
        try await client.withTransaction(logger: logger) { tx in
            let rows = try await tx.query("""
                SELECT r.workshop_id, r.state,
                       EXISTS (SELECT 1 FROM ranking_snapshots s JOIN snapshot_audits a ON a.snapshot_id = s.id
                                WHERE s.round_id = r.id AND NOT s.provisional) AS counted
                  FROM rounds r WHERE r.id = \(round) FOR UPDATE
                """, logger: logger)
            guard let (workshop, state, counted) = try await rows.all({
                (try $0.get("workshop_id", as: UUID.self), try $0.get("state", as: String.self), try $0.get("counted", as: Bool.self))
            }).first else { throw StoreError.notFound("round") }
            guard state == "closed" else { throw StoreError.conflict("the round is \(state); only a closed round's history is pruned") }
            guard counted else {
                throw StoreError.conflict("the round's final count and audit text are not written yet; run the worker first")
            }
            let pruned = try await tx.query("""
                UPDATE ballot_history SET member_id = NULL, pruned_at = now()
                 WHERE round_id = \(round) AND pruned_at IS NULL RETURNING id
                """, logger: logger)
            let count = try await pruned.all { try $0.get("id", as: Int64.self) }.count
            try await tx.query("DELETE FROM ballots WHERE round_id = \(round)", logger: logger)
            try await tx.query("UPDATE rounds SET history_pruned_at = now() WHERE id = \(round)", logger: logger)
            try await AuditLog.record("round.prune_history", workshop: workshop, subject: round, by: caller,
                                      details: ["history_rows": String(count)], on: tx, logger: logger)
            return count
        }
    }

    public func finalSnapshot(of round: Round) async throws -> SnapshotRef? {
        let rows = try await client.query("""
            SELECT s.id, s.digest FROM ranking_snapshots s
             WHERE s.round_id = \(round.id) AND NOT s.provisional
               AND EXISTS (SELECT 1 FROM snapshot_audits a WHERE a.snapshot_id = s.id)
             ORDER BY s.id DESC LIMIT 1
            """, logger: logger)
        return try await rows.all { SnapshotRef(id: try $0.get("id"), digest: try $0.get("digest")) }.first
    }

    public func audit(of round: Round, snapshot: SnapshotRef) async throws -> RoundAudit? {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.snapshotColumns), a.format, a.canonical
              FROM ranking_snapshots s JOIN snapshot_audits a ON a.snapshot_id = s.id
             WHERE s.id = \(snapshot.id) AND s.round_id = \(round.id)
            """, logger: logger)
        return try await rows.all { r in
            let ranking = try Self.ranking(r, of: round)
            return RoundAudit(roundId: round.id, digest: ranking.digest ?? "", format: try r.get("format"),
                              canonical: try r.get("canonical"), ranking: ranking)
        }.first
    }
}
