import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing
@testable import WerkstattAPI
@testable import WerkstattStore
import WerkstattDomain
@testable import WerkstattWorker

@Suite("Voting: the ballot writer and the item order")
struct BallotWriterTests {
    @Test("on graceful shutdown the writer commits and acknowledges what it took, and refuses what comes after")
    func drainsOnShutdown() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try #require(UUID(uuidString: try await e.round(api, ["method": "approval"])))
            var members: [UUID] = []
            for group in ["industry", "science", "union"] {
                members.append(try #require(UUID(uuidString: try await e.scenario.memberId(api, group: group))))
            }
            let content = TestAPI.json(e.resolve(["approve": ["A"]]))
            let ballots = members.map { BallotWriter.Ballot(round: round, member: $0, content: content, entries: [0]) }

            let (events, seen) = AsyncStream.makeStream(of: BallotWriter.Event.self)
            var watched = events.makeAsyncIterator()
            let writer = BallotWriter(client: api.database, logger: TestDatabase.logger, observe: { seen.yield($0) })
            let services = ServiceGroup(services: [writer], logger: TestDatabase.logger)
            let (locked, release) = (Gate(), Gate())
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await services.run() }
                // Ballots wait for a transaction that holds their round's row (as a close
                // does): it keeps the writer's first batch in the database until released.
                tasks.addTask {
                    try await api.database.withTransaction(logger: TestDatabase.logger) { tx in
                        try await tx.query("SELECT 1 FROM rounds WHERE id = \(round) FOR UPDATE", logger: TestDatabase.logger)
                        locked.open()
                        await release.wait()
                    }
                }
                await locked.wait()
                async let inFlight = writer.write(ballots[0])
                await Self.next(.writing(ballots: 1), in: &watched)
                async let queued = writer.write(ballots[1])
                await Self.next(.queued(waiting: 1), in: &watched)

                await services.triggerGracefulShutdown()
                await Self.next(.stopping, in: &watched)
                await #expect(throws: StoreError.shuttingDown) { try await writer.write(ballots[2]) }
                #expect(ProblemMiddleware<AppRequestContext>.problem(for: StoreError.shuttingDown, logger: TestDatabase.logger)
                        .status == .serviceUnavailable)

                release.open()
                let receipts = try await [inFlight, queued]
                #expect(receipts.map { $0?.version } == [1, 1])
                // The writer returned once its queue was empty, and so did the group.
                try await tasks.waitForAll()
            }
            await #expect(throws: StoreError.shuttingDown) { try await writer.write(ballots[2]) }

            let rows = try await api.database.query(
                "SELECT member_id FROM ballot_history WHERE round_id = \(round)", logger: TestDatabase.logger)
            var written: Set<UUID> = []
            for try await member in rows.decode(UUID.self) { written.insert(member) }
            #expect(written == [members[0], members[1]])
            let changes = try await api.database.query(
                "SELECT count(*) FROM round_changes WHERE round_id = \(round)", logger: TestDatabase.logger)
            for try await count in changes.decode(Int64.self) { #expect(count >= 1, "the round is marked dirty") }
        }
    }

    @Test("without a running writer (the commands) a ballot is written alone, after its commit")
    func writtenAlone() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try #require(UUID(uuidString: try await e.round(api, ["method": "approval"])))
            let member = try #require(UUID(uuidString: try await e.scenario.memberId(api, group: "industry")))
            let rounds = Repositories(postgres: api.database, logger: TestDatabase.logger).rounds
            let body = BallotBody(.approve([try #require(e.ids["B"])]))
            let ballot = try #require(try await rounds.get(round)).admit(body)
            let receipt = try await rounds.cast(ballot, by: member)
            #expect(receipt?.version == 1)
            #expect(try await rounds.ballot(in: round, of: member)?.ballot == body)
        }
    }

    @Test("a round's item order is one column: new rounds number their items, the API and the worker read it")
    func itemOrder() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let (a, b, c) = (try #require(e.ids["A"]), try #require(e.ids["B"]), try #require(e.ids["C"]))
            // Listed as C, A: the positions follow the workshop's order all the same.
            let round = try await e.round(api, ["method": "approval", "recommendation_ids": [c, a]])
            let roundId = try #require(UUID(uuidString: round))
            #expect(try await Self.positions(api, roundId) == [a, c])
            let whole = try await e.round(api, ["method": "approval"])
            #expect(try await Self.positions(api, try #require(UUID(uuidString: whole))) == [a, b, c])

            // Reordered by hand (A 0 → 1, C 1 → 0, by way of 10 and 11 past the uniqueness),
            // both readers follow the column, not the recommendations' order.
            try await api.database.query(
                "UPDATE round_items SET position = position + 10 WHERE round_id = \(roundId)", logger: TestDatabase.logger)
            try await api.database.query(
                "UPDATE round_items SET position = 11 - position WHERE round_id = \(roundId)", logger: TestDatabase.logger)
            #expect(try await Self.positions(api, roundId) == [c, a])
            let listed = try await api.get("/v1/rounds/\(round)", token: e.scenario.moderator)
            #expect(listed.body["recommendation_ids"]?.array.map { $0.string } == [c, a])
            let loaded = try await api.database.withConnection { connection in
                try await RoundLoader(connection: connection, logger: TestDatabase.logger).load(roundId)
            }
            #expect(loaded.tally.candidates.map(\.code) == ["C", "A"])

            // A ballot for C (the API's item 0) is counted for C (the worker's item 0).
            try await e.minGroupSize(api, 2)
            try await e.vote(api, in: round, group: "industry", ["approve": ["C"]])
            try await e.vote(api, in: round, group: "industry", ["approve": ["C"]])
            let ranking = try await e.ranking(api, of: round)
            #expect(ranking["items"]?[0]?["code"]?.string == "C")
            #expect(ranking["items"]?[0]?["supporters"]?.int == 2)
        }
    }

    @Test("migration 010 numbers the items of existing rounds in the recommendations' order")
    func migrationNumbersExistingRounds() async throws {
        try await TestDatabase.withEmptyDatabase { client in
            let before = Migration.embedded.filter { $0.name < "010" }
            try await Migrator(client: client, migrations: before, logger: TestDatabase.logger).migrate()
            try await client.query("""
                WITH w AS (
                    INSERT INTO workshops (slug, title) VALUES ('alt', 'Vor der Migration') RETURNING id
                ), rec AS (
                    INSERT INTO recommendations (workshop_id, code, title, body)
                    SELECT w.id, code, 'Empfehlung ' || code, '' FROM w, unnest(ARRAY['A', 'B', 'C']) AS code
                    RETURNING id, workshop_id, code
                ), r AS (
                    INSERT INTO rounds (workshop_id, title, method) SELECT id, 'Alt', 'approval' FROM w RETURNING id, workshop_id
                )
                INSERT INTO round_items (round_id, workshop_id, recommendation_id)
                SELECT r.id, r.workshop_id, rec.id FROM r, rec WHERE rec.code <> 'B'
                """, logger: TestDatabase.logger)
            try await Migrator(client: client, logger: TestDatabase.logger).migrate()
            let rows = try await client.query("""
                SELECT rec.code, i.position FROM round_items i JOIN recommendations rec ON rec.id = i.recommendation_id
                 ORDER BY i.position
                """, logger: TestDatabase.logger)
            var order: [String] = []
            for try await (code, position) in rows.decode((String, Int32).self) {
                #expect(Int(position) == order.count)
                order.append(code)
            }
            #expect(order == ["A", "C"])
        }
    }

    /// The round's recommendation ids by their stored position.
    static func positions(_ api: TestAPI, _ round: UUID) async throws -> [String] {
        let rows = try await api.database.query(
            "SELECT recommendation_id FROM round_items WHERE round_id = \(round) ORDER BY position", logger: TestDatabase.logger)
        var ids: [String] = []
        for try await id in rows.decode(UUID.self) { ids.append(id.uuidString.lowercased()) }
        return ids
    }

    /// Waits for `event`, passing over the others.
    static func next(_ event: BallotWriter.Event, in events: inout AsyncStream<BallotWriter.Event>.Iterator) async {
        while let seen = await events.next(), seen != event {}
    }
}
