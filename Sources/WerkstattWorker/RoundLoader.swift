import Foundation
import Logging
import PostgresNIO
import WerkstattDomain
import WerkstattStore
import WerkstattVoting

/// Reads everything a round's tally depends on.
struct RoundLoader {
    let connection: PostgresConnection
    let logger: Logger

    /// A round ready to count, with what the snapshot records beside the result.
    struct Loaded: Sendable {
        var tally: RoundInput
        var method: VotingMethod
        var balanceJSON: String
        var titles: [String: String]
        var watermark: Int64
        var provisional: Bool
        /// Counted ballots of members added after the round opened.
        var lateMembers: Int
    }

    func load(_ round: UUID) async throws -> Loaded {
        let settings = try await connection.query("""
            SELECT r.method, r.points_per_member, r.max_points_per_item, r.balance::text AS balance, r.state,
                   w.min_group_size
              FROM rounds r JOIN workshops w ON w.id = r.workshop_id WHERE r.id = \(round)
            """, logger: logger)
        guard let (methodName, points, maxPoints, balanceJSON, state, k) = try await settings.all({ r in
            (try r.get("method", as: String.self), try r.get("points_per_member", as: Int32?.self),
             try r.get("max_points_per_item", as: Int32?.self), try r.get("balance", as: String.self),
             try r.get("state", as: String.self), try r.get("min_group_size", as: Int32.self))
        }).first else {
            throw LoadError.noSuchRound(round)
        }
        let method = try VotingMethod(decoding: methodName)
        let balance = try JSONDecoder().decode(Balance.self, from: Data(balanceJSON.utf8))
        // In the items' stored order (sql/010), which ballots' entries refer to.
        let items = try await connection.query("""
            SELECT rec.id, rec.code, rec.title FROM round_items i JOIN recommendations rec ON rec.id = i.recommendation_id
             WHERE i.round_id = \(round) ORDER BY i.position
            """, logger: logger)
        var candidates: [Candidate] = []
        var titles: [String: String] = [:]
        for try await (id, code, title) in items.decode((UUID, String, String).self) {
            candidates.append(Candidate(code: code, id: id.text))
            titles[id.text] = title
        }
        let counting = Method(method, pointsPerMember: points.map(Int.init), maxPointsPerItem: maxPoints.map(Int.init))
        let (ballots, late) = try await self.ballots(of: round, kind: counting.kind)
        let watermark = try await connection.query(
            "SELECT COALESCE(max(id), 0) FROM ballot_history WHERE round_id = \(round)", logger: logger)
        var mark: Int64 = 0
        for try await value in watermark.decode(Int64.self) { mark = value }
        let input = try RoundInput(
            method: counting, balance: balance, candidates: candidates,
            ballots: ballots, seed: Self.seed(round),
            bootstrapSamples: Bootstrap.recommendedSamples(for: ballots), minGroupSize: Int(k))
        return Loaded(tally: input, method: method, balanceJSON: balanceJSON, titles: titles,
                      watermark: mark, provisional: state != "closed", lateMembers: late)
    }

    enum LoadError: Error {
        case noSuchRound(UUID)
    }

    /// The current ballots in their compact form, with each member's stakeholder group,
    /// and how many of them come from members added after the round opened.
    private func ballots(of round: UUID, kind: Method.Kind) async throws -> (BallotSet, Int) {
        let rows = try await connection.query("""
            SELECT b.entries, COALESCE(b.stakeholder_group, g.stakeholder_group) AS stakeholder_group,
                   m.created_at > r.opened_at AS late
              FROM ballots b
              JOIN rounds r ON r.id = b.round_id
              JOIN members m ON m.id = b.member_id
              JOIN member_groups g ON g.member_id = b.member_id
             WHERE b.round_id = \(round) AND b.entries IS NOT NULL
            """, logger: logger)
        var set = BallotSet(kind: kind)
        let paired = kind == .dot || kind == .score
        var key: UInt64 = 0
        var late = 0
        for try await (entries, groupName, isLate) in rows.decode(([Int32], String, Bool?).self) {
            let group = try StakeholderGroup(decoding: groupName)
            if isLate == true { late += 1 }
            if paired {
                var i = 0
                while i + 1 < entries.count {
                    set.addEntry(item: Int(entries[i]), value: Int(entries[i + 1]))
                    i += 2
                }
            } else {
                for item in entries { set.addEntry(item: Int(item)) }
            }
            key += 1
            set.commitBallot(key: key, group: group)
        }
        return (set, late)
    }

    /// The bootstrap seed: fixed per round, so recomputing the same ballots gives the same intervals.
    static func seed(_ round: UUID) -> UInt64 {
        withUnsafeBytes(of: round.uuid) { $0.load(as: UInt64.self) }
    }
}
