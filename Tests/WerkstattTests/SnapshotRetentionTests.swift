import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import WerkstattStore
import WerkstattWorker

/// The worker prunes superseded provisional snapshots no reader was shown, once older than
/// its retention time; everything a reader, `verify` or the k rule may need stays.
@Suite("Snapshot retention")
struct SnapshotRetentionTests {
    /// Writes a snapshot as the worker would, computed at `at` (ISO 8601, UTC).
    static func snapshot(_ api: TestAPI, round: String, at: String, provisional: Bool = true, published: Bool,
                         shown: Bool = false) async throws -> Int64 {
        let rows = try await api.database.query("""
            INSERT INTO ranking_snapshots (round_id, method, balance, ballots_counted, watermark, digest, provisional,
                                           computed_at, items, min_group_size, published, shown)
            VALUES (\(round)::uuid, 'approval', '"proportional"', 0, 0, 'digest', \(provisional), \(at)::timestamptz,
                    '[]', 5, \(published), \(shown))
            RETURNING id
            """, logger: TestDatabase.logger)
        return try await rows.all { try $0.get("id", as: Int64.self) }[0]
    }

    static func remaining(_ api: TestAPI) async throws -> Set<Int64> {
        let rows = try await api.database.query("SELECT id FROM ranking_snapshots", logger: TestDatabase.logger)
        return Set(try await rows.all { try $0.get("id", as: Int64.self) })
    }

    static func date(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    @Test("retention removes exactly the superseded, unshown provisional snapshots past the retention time")
    func prunesExactly() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let (open, closed, quiet) = (try await e.round(api, ["method": "approval"]),
                                         try await e.round(api, ["method": "approval"]),
                                         try await e.round(api, ["method": "approval"]))
            func at(_ time: String) -> String { "2026-03-\(time):00Z" }
            // Written oldest first, so ids follow computed_at as the worker's do.
            var pruned: Set<Int64> = []
            var kept: Set<Int64> = []
            kept.insert(try await Self.snapshot(api, round: quiet, at: at("01T10:00"), published: false))  // latest of its round
            pruned.insert(try await Self.snapshot(api, round: open, at: at("01T21:00"), published: true))  // same day, later published
            kept.insert(try await Self.snapshot(api, round: open, at: at("01T22:00"), published: true))    // last published of its day
            kept.insert(try await Self.snapshot(api, round: closed, at: at("02T08:00"), provisional: false, published: true))
            kept.insert(try await Self.snapshot(api, round: closed, at: at("02T08:30"), provisional: false, published: true))
            pruned.insert(try await Self.snapshot(api, round: open, at: at("02T09:00"), published: false))
            kept.insert(try await Self.snapshot(api, round: open, at: at("02T09:10"), published: true, shown: true))
            pruned.insert(try await Self.snapshot(api, round: open, at: at("02T09:20"), published: true))
            pruned.insert(try await Self.snapshot(api, round: open, at: at("02T10:00"), published: false))
            kept.insert(try await Self.snapshot(api, round: open, at: at("02T11:00"), published: true))    // latest published
            pruned.insert(try await Self.snapshot(api, round: open, at: at("02T12:00"), published: false))
            kept.insert(try await Self.snapshot(api, round: open, at: at("02T19:30"), published: false))   // younger than an hour
            #expect(try await Self.remaining(api) == kept.union(pruned))

            let now = try Self.date("2026-03-02T20:00:00Z")
            let retention = SnapshotRetention(age: .seconds(3600), batch: 2, now: { now })
            #expect(try await retention.prune(client: api.database, logger: TestDatabase.logger) == pruned.count)
            #expect(try await Self.remaining(api) == kept)
            #expect(try await retention.prune(client: api.database, logger: TestDatabase.logger) == 0)
            // A year later the same ones are kept: the rule is not the cutoff's.
            let later = SnapshotRetention(age: .seconds(3600), now: { now.addingTimeInterval(365 * 86_400) })
            #expect(try await later.prune(client: api.database, logger: TestDatabase.logger) == 0)
        }
    }

    @Test("a snapshot a reader was given is marked once and kept; the audit text and verify stay")
    func shownIsKept() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "approval"])
            for group in ["industry", "industry", "science", "science", "union"] {
                try await e.vote(api, in: round, group: group, ["approve": ["A"]])
            }
            let worker = AggregationWorker(client: api.database, logger: TestDatabase.logger)
            await worker.drain()
            let first = try await api.get("/v1/rounds/\(round)/ranking", token: e.scenario.moderator)
            let seen = try #require(first.body["digest"]?.string)
            // Later ballots, each counted alone: superseded snapshots, some never shown.
            for group in ["science", "union", "industry", "union", "science", "industry"] {
                try await e.vote(api, in: round, group: group, ["approve": ["B"]])
                await worker.drain()
            }
            let before = try await Self.remaining(api).count
            let future = SnapshotRetention(now: { Date().addingTimeInterval(86_400) })
            let pruned = try await future.prune(client: api.database, logger: TestDatabase.logger)
            #expect(pruned > 0 && pruned < before)
            let shown = try await api.database.query("""
                SELECT count(*) FROM ranking_snapshots WHERE round_id = \(round)::uuid AND digest = \(seen) AND shown
                """, logger: TestDatabase.logger)
            #expect(try await shown.all { try $0.get("count", as: Int64.self) } == [1])
            // Snapshots stay immutable but for that mark.
            let change = await DatabaseRoleTests.refusal("UPDATE ranking_snapshots SET digest = 'x'", on: api.database)
            #expect(change?.state == "42501", "\(String(describing: change))")

            // The final count and its audit text survive any pruning, and verify passes.
            let closed = try await api.post("/v1/rounds/\(round)/close", token: e.scenario.moderator, "{}")
            #expect(closed.status == .ok)
            await worker.drain()
            _ = try await future.prune(client: api.database, logger: TestDatabase.logger)
            let audit = try await api.get("/v1/rounds/\(round)/audit", token: e.scenario.moderator)
            #expect(audit.status == .ok, "\(audit.text)")
            let ranking = try await api.get("/v1/rounds/\(round)/ranking", token: e.scenario.moderator)
            #expect(ranking.body["provisional"]?.bool == false)
            #expect(ranking.body["digest"]?.string == audit.body["digest"]?.string)
        }
    }

    @Test("two workers pruning while readers mark: every snapshot marked is kept, the others go exactly once")
    func concurrentPruning() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "approval"])
            let ids = try await api.database.query("""
                INSERT INTO ranking_snapshots (round_id, method, balance, ballots_counted, watermark, digest, provisional,
                                               computed_at, items, min_group_size, published)
                SELECT \(round)::uuid, 'approval', '"proportional"', 0, n, 'digest', true,
                       '2026-03-02T08:00:00Z'::timestamptz + n * interval '1 second', '[]', 5, false
                  FROM generate_series(1, 600) AS n
                RETURNING id
                """, logger: TestDatabase.logger)
            let all = try await ids.all { try $0.get("id", as: Int64.self) }.sorted()
            let latest = try #require(all.last)
            let now = try Self.date("2026-03-03T12:00:00Z")
            let retention = SnapshotRetention(age: .seconds(3600), batch: 40, now: { now })
            let marking = all.enumerated().filter { $0.offset % 7 == 3 }.map(\.element)
            async let first = retention.prune(client: api.database, logger: TestDatabase.logger)
            async let second = retention.prune(client: api.database, logger: TestDatabase.logger)
            async let marks = Self.mark(marking, api: api)
            let (a, b, marked) = try await (first, second, marks)
            let remaining = try await Self.remaining(api)
            #expect(a + b == all.count - remaining.count)
            // A mark that succeeded keeps its snapshot; one that failed came after the prune.
            #expect(marked.isSubset(of: remaining))
            #expect(remaining.contains(latest))
            // What is left is exactly the marked ones and the latest: a last pass finds nothing.
            #expect(remaining == marked.union([latest]))
            #expect(try await retention.prune(client: api.database, logger: TestDatabase.logger) == 0)
        }
    }

    /// Marks each snapshot shown as a reader would; returns those that were still there.
    static func mark(_ ids: [Int64], api: TestAPI) async throws -> Set<Int64> {
        var kept: Set<Int64> = []
        for id in ids {
            let rows = try await api.database.query("SELECT mark_ranking_snapshot_shown(\(id)) AS kept", logger: TestDatabase.logger)
            if try await rows.all({ try $0.get("kept", as: Bool.self) }).first == true { kept.insert(id) }
        }
        return kept
    }
}
