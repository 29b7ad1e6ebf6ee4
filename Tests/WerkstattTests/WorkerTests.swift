import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing
import WerkstattWorker

@Suite("Aggregation worker")
struct WorkerTests {
    struct Stop: Error {}

    /// Snapshots of a round: (ballots counted, watermark, provisional), oldest first.
    static func snapshots(_ api: TestAPI, _ round: String) async throws -> [(Int32, Int64, Bool)] {
        let rows = try await api.database.query("""
            SELECT ballots_counted, watermark, provisional FROM ranking_snapshots
             WHERE round_id = \(UUID(uuidString: round)!) ORDER BY id
            """, logger: TestDatabase.logger)
        var result: [(Int32, Int64, Bool)] = []
        for try await row in rows.decode((Int32, Int64, Bool).self) { result.append(row) }
        return result
    }

    static func pendingChanges(_ api: TestAPI) async throws -> Int64 {
        let rows = try await api.database.query("SELECT count(*) FROM round_changes", logger: TestDatabase.logger)
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }

    @Test("a worker stopped at any step leaves the old snapshot and a dirty round; the next one completes it")
    func crashAtEveryStep() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "dot"])
            try await e.vote(api, in: round, group: "industry", ["points": ["A": 5]])
            await AggregationWorker(client: api.database, logger: TestDatabase.logger).drain()
            #expect(try await Self.snapshots(api, round).map(\.0) == [1])
            try await e.vote(api, in: round, group: "union", ["points": ["B": 5]])
            for step in [AggregationWorker.Step.claimed, .loaded, .computed, .written] {
                // One lane: a second one could claim the round between the stop and its back-off.
                let crashing = AggregationWorker(client: api.database, logger: TestDatabase.logger, lanes: 1) { current, _ in
                    if current == step { throw Stop() }
                }
                await crashing.drain()
                #expect(try await Self.snapshots(api, round).count == 1, "stopped at \(step)")
                #expect(try await Self.pendingChanges(api) > 0, "stopped at \(step)")
                // Each stop is a failed computation, after which the round backs off; let
                // the back-off pass, as it would with time.
                try await api.database.query("UPDATE round_backoff SET retry_after = now()", logger: TestDatabase.logger)
            }
            let failures = try await api.database.query("SELECT failures FROM round_backoff", logger: TestDatabase.logger)
            for try await count in failures.decode(Int32.self) { #expect(count == 4) }
            await AggregationWorker(client: api.database, logger: TestDatabase.logger).drain()
            #expect(try await Self.pendingChanges(api) == 0)
            #expect(try await Self.snapshots(api, round).map(\.0) == [1, 2])
            #expect(try await api.database.query("SELECT 1 FROM round_backoff", logger: TestDatabase.logger)
                .collect().isEmpty, "a computed round no longer backs off")
        }
    }

    @Test("two workers racing over ballots cast meanwhile compute each change once and miss none")
    func racingWorkers() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let rounds = [try await e.round(api, ["method": "dot"]), try await e.round(api, ["method": "approval"])]
            var tokens: [String] = []
            for i in 0..<12 { tokens.append(try await e.scenario.member(api, group: i % 2 == 0 ? "industry" : "union")) }
            let workers = (0..<2).map { _ in
                AggregationWorker(client: api.database, logger: TestDatabase.logger, sweepInterval: .milliseconds(50))
            }
            let group = ServiceGroup(services: workers, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await withThrowingTaskGroup(of: Void.self) { voters in
                    for (i, token) in tokens.enumerated() {
                        voters.addTask {
                            let dot = TestAPI.json(e.resolve(["points": [["A", "B", "C"][i % 3]: 2]]))
                            _ = try await api.put("/v1/rounds/\(rounds[0])/ballot", token: token, dot)
                            let approval = TestAPI.json(e.resolve(["approve": [["A", "B", "C"][i % 3]]]))
                            _ = try await api.put("/v1/rounds/\(rounds[1])/ballot", token: token, approval)
                        }
                    }
                    try await voters.waitForAll()
                }
                // Wait until both workers have nothing left, then stop them. The bound only
                // ends a broken run; a working one, however slow the machine, ends far sooner.
                let giveUp = ContinuousClock.now + .seconds(300)
                while try await Self.pendingChanges(api) > 0, ContinuousClock.now < giveUp {
                    try await Task.sleep(for: .milliseconds(50))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await Self.pendingChanges(api) == 0)
            for round in rounds {
                let snapshots = try await Self.snapshots(api, round)
                #expect(snapshots.last?.0 == 12, "the latest snapshot counts every ballot")
                // Every snapshot covers more than the one before: no change computed twice,
                // none overwritten, none after a newer one.
                for (earlier, later) in zip(snapshots, snapshots.dropFirst()) {
                    #expect(later.1 > earlier.1)
                    #expect(later.0 >= earlier.0)
                }
            }
        }
    }
}
