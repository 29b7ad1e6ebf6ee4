import Foundation
import PostgresNIO
import Testing
import WerkstattWorker

/// A workshop in the voting phase with recommendations A, B and C.
struct Election: Sendable {
    var scenario: Scenario
    var ids: [String: String]

    static func make(_ api: TestAPI, slug: String = "wahl") async throws -> Election {
        let scenario = try await Scenario.make(api, slug: slug, phase: "voting")
        var ids: [String: String] = [:]
        for code in ["A", "B", "C"] {
            let rec = try await api.post("/v1/workshops/\(scenario.workshop)/recommendations", token: scenario.moderator,
                                         #"{"code":"\#(code)","title":"Empfehlung \#(code)","body":""}"#)
            try #require(rec.status == .created, "\(rec.text)")
            ids[code] = rec.id
        }
        return Election(scenario: scenario, ids: ids)
    }

    /// Creates and opens a round; returns its id.
    func round(_ api: TestAPI, _ settings: [String: Any]) async throws -> String {
        var body: [String: Any] = ["title": "Priorisierung"]
        body.merge(settings) { $1 }
        let round = try await api.post("/v1/workshops/\(scenario.workshop)/rounds", token: scenario.moderator, TestAPI.json(body))
        try #require(round.status == .created, "\(round.text)")
        let opened = try await api.post("/v1/rounds/\(round.id)/open", token: scenario.moderator, "{}")
        try #require(opened.status == .ok, "\(opened.text)")
        return round.id
    }

    /// Casts a ballot (codes are replaced by ids) as a new member of `group`.
    func vote(_ api: TestAPI, in round: String, group: String, _ ballot: [String: Any]) async throws {
        let token = try await scenario.member(api, group: group)
        let reply = try await api.put("/v1/rounds/\(round)/ballot", token: token, TestAPI.json(resolve(ballot)))
        try #require(reply.status == .ok, "\(reply.text)")
    }

    func resolve(_ ballot: [String: Any]) -> [String: Any] {
        ballot.mapValues { value -> Any in
            if let map = value as? [String: Int] {
                return Dictionary(uniqueKeysWithValues: map.map { (ids[$0.key] ?? $0.key, $0.value) })
            }
            if let list = value as? [String] { return list.map { ids[$0] ?? $0 } }
            return value
        }
    }

    /// The final ranking: closes the round if it is still open, lets a worker compute,
    /// then reads the ranking as the observer.
    func ranking(_ api: TestAPI, of round: String) async throws -> JSON {
        _ = try await api.post("/v1/rounds/\(round)/close", token: scenario.moderator, "{}")
        return try await standing(api, of: round, as: scenario.observer)
    }

    /// Lets a worker compute, then reads the ranking with `token`, whatever the round's state.
    func standing(_ api: TestAPI, of round: String, as token: String) async throws -> JSON {
        await AggregationWorker(client: api.database, logger: TestDatabase.logger).drain()
        let reply = try await api.get("/v1/rounds/\(round)/ranking", token: token)
        try #require(reply.status == .ok, "\(reply.text)")
        return reply.body
    }

    /// Sets the workshop's k.
    func minGroupSize(_ api: TestAPI, _ k: Int) async throws {
        let reply = try await api.request(.patch, "/v1/workshops/\(scenario.workshop)", token: scenario.moderator,
                                          json: #"{"min_group_size":\#(k)}"#)
        try #require(reply.status == .ok, "\(reply.text)")
    }

    /// (code, rank, score) of every item, in ranking order.
    static func table(_ ranking: JSON) -> [String] {
        ranking["items"]!.array.map { item in
            let score = item["score"]!.double!
            return "\(item["code"]!.string!) \(item["rank"]!.int!) \((score * 1000).rounded() / 1000)"
        }
    }
}

@Suite("Voting rounds and ballots")
struct VotingTests {
    @Test("dot ballots break every rule with a field-level 422")
    func dotValidation() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "dot", "points_per_member": 5, "max_points_per_item": 3])
            let (a, b) = (e.ids["A"]!, e.ids["B"]!)
            let foreign = try await Election.make(api, slug: "andere").ids["A"]!
            let cases: [(String, String)] = [
                (#"{"points":{"\#(a)":4}}"#, "points.\(a)"),
                (#"{"points":{"\#(a)":3,"\#(b)":3}}"#, "points"),
                (#"{"points":{"\#(a)":0}}"#, "points.\(a)"),
                (#"{"points":{"\#(foreign)":1}}"#, "points.\(foreign)"),
                (#"{"points":{"nonsense":1}}"#, "points.nonsense"),
                (#"{"points":{}}"#, "points"),
                (#"{"points":{"\#(a)":1.5}}"#, "points.\(a)"),
                (#"{"approve":["\#(a)"]}"#, "approve"),
                (#"{}"#, "points"),
            ]
            for (body, field) in cases {
                let reply = try await api.put("/v1/rounds/\(round)/ballot", token: e.scenario.participant, body)
                #expect(reply.status == .unprocessableContent, "\(body)")
                #expect(reply.body["errors"]?.array.contains { $0["field"]?.string == field } == true, "\(body): \(reply.text)")
            }
            // Lower-case ids are the same ids.
            let ok = try await api.put("/v1/rounds/\(round)/ballot", token: e.scenario.participant,
                                       #"{"points":{"\#(a.lowercased())":3,"\#(b)":2}}"#)
            #expect(ok.status == .ok)
            let rows = try await api.database.query("SELECT count(*) FROM ballot_history", logger: TestDatabase.logger)
            for try await count in rows.decode(Int64.self) { #expect(count == 1) }
        }
    }

    @Test("approval, score and ranking ballots: duplicates, grades out of range, empty lists")
    func otherValidation() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let (a, b) = (e.ids["A"]!, e.ids["B"]!)
            let approval = try await e.round(api, ["method": "approval"])
            let score = try await e.round(api, ["method": "score"])
            let ranking = try await e.round(api, ["method": "ranking"])
            let cases: [(String, String, String)] = [
                (approval, #"{"approve":[]}"#, "approve"),
                (approval, #"{"approve":["\#(a)","\#(a)"]}"#, "approve[1]"),
                (score, #"{"grades":{"\#(a)":6}}"#, "grades.\(a)"),
                (score, #"{"grades":{"\#(a)":-1}}"#, "grades.\(a)"),
                (score, #"{"grades":{}}"#, "grades"),
                (ranking, #"{"ranking":["\#(a)","\#(b)","\#(a)"]}"#, "ranking[2]"),
                (ranking, #"{"ranking":[]}"#, "ranking"),
                (ranking, #"{"points":{"\#(a)":1}}"#, "points"),
            ]
            for (round, body, field) in cases {
                let reply = try await api.put("/v1/rounds/\(round)/ballot", token: e.scenario.participant, body)
                #expect(reply.status == .unprocessableContent, "\(body)")
                #expect(reply.body["errors"]?.array.contains { $0["field"]?.string == field } == true, "\(body): \(reply.text)")
            }
            #expect(try await api.put("/v1/rounds/\(approval)/ballot", token: e.scenario.participant, #"{"approve":["\#(a)"]}"#).status == .ok)
            #expect(try await api.put("/v1/rounds/\(score)/ballot", token: e.scenario.participant, #"{"grades":{"\#(a)":0,"\#(b)":5}}"#).status == .ok)
            #expect(try await api.put("/v1/rounds/\(ranking)/ballot", token: e.scenario.participant, #"{"ranking":["\#(b)"]}"#).status == .ok)
        }
    }

    @Test("round settings are checked, and rounds cover only the workshop's recommendations")
    func roundValidation() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let path = "/v1/workshops/\(e.scenario.workshop)/rounds"
            let foreign = try await Election.make(api, slug: "andere").ids["A"]!
            let bad: [(String, String)] = [
                (#"{"title":"t","method":"lottery"}"#, "method"),
                (#"{"title":"t","method":"dot","points_per_member":0}"#, "points_per_member"),
                (#"{"title":"t","method":"dot","points_per_member":3,"max_points_per_item":4}"#, "max_points_per_item"),
                (#"{"title":"t","method":"approval","points_per_member":3}"#, "points_per_member"),
                (#"{"title":"t","method":"dot","balance":"weird"}"#, "balance"),
                (#"{"title":"t","method":"dot","balance":{"custom":{"industry":-1}}}"#, "balance.custom.industry"),
                (#"{"title":"t","method":"dot","recommendation_ids":["\#(foreign)"]}"#, "recommendation_ids"),
                (#"{"title":"t","method":"dot","recommendation_ids":[]}"#, "recommendation_ids"),
            ]
            for (body, field) in bad {
                let reply = try await api.post(path, token: e.scenario.moderator, body)
                #expect(reply.status == .unprocessableContent, "\(body)")
                #expect(reply.body["errors"]?[0]?["field"]?.string == field, "\(body): \(reply.text)")
            }
            #expect(try await api.post(path, token: e.scenario.participant, #"{"title":"t","method":"dot"}"#).status == .forbidden)
            let round = try await api.post(path, token: e.scenario.moderator,
                                           TestAPI.json(["title": "t", "method": "dot", "recommendation_ids": [e.ids["B"]!]]))
            #expect(round.body["recommendation_ids"]?.array.map(\.string) == [e.ids["B"]])
            #expect(round.body["points_per_member"]?.int == 5)
            #expect(round.body["state"]?.string == "draft")
            #expect(try await api.get("/v1/workshops/\(e.scenario.workshop)/rounds", token: e.scenario.observer).body["items"]?.array.count == 1)
        }
    }

    @Test("replacing and withdrawing keep every version; only the owner sees a ballot")
    func replaceAndWithdraw() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "approval"])
            let s = e.scenario
            let path = "/v1/rounds/\(round)/ballot"
            #expect(try await api.get(path, token: s.participant).status == .notFound)
            #expect(try await api.put(path, token: s.participant, TestAPI.json(e.resolve(["approve": ["A"]]))).body["version"]?.int == 1)
            let second = try await api.put(path, token: s.participant, TestAPI.json(e.resolve(["approve": ["B", "C"]])))
            #expect(second.body["version"]?.int == 2)
            let own = try await api.get(path, token: s.participant)
            #expect(own.body["ballot"]?["approve"]?.array.map(\.string) == [e.ids["B"], e.ids["C"]])
            // Nobody else sees it: not the moderator (they have none), not the observer or admin.
            #expect(try await api.get(path, token: s.moderator).status == .notFound)
            #expect(try await api.get(path, token: s.observer).status == .forbidden)
            #expect(try await api.get(path, token: api.admin).status == .forbidden)
            #expect(try await api.request(.delete, path, token: s.participant).status == .noContent)
            #expect(try await api.request(.delete, path, token: s.participant).status == .notFound)
            #expect(try await api.get(path, token: s.participant).status == .notFound)
            #expect(try await api.put(path, token: s.participant, TestAPI.json(e.resolve(["approve": ["C"]]))).body["version"]?.int == 4)

            let history = try await api.database.query(
                "SELECT version, content IS NULL FROM ballot_history ORDER BY id", logger: TestDatabase.logger)
            var versions: [String] = []
            for try await (version, withdrawn) in history.decode((Int32, Bool).self) { versions.append("\(version)\(withdrawn ? "-" : "")") }
            #expect(versions == ["1", "2", "3-", "4"])
            // The history is append-only, enforced by the database.
            await #expect(throws: (any Error).self) {
                try await api.database.query("DELETE FROM ballot_history", logger: TestDatabase.logger)
            }
            let ranking = try await e.ranking(api, of: round)
            #expect(ranking["ballots_counted"]?.int == 1)
            #expect(!ranking.description.contains(s.participantId))
        }
    }

    @Test("ballots only while the round is open and the workshop votes")
    func roundStates() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let s = e.scenario
            let created = try await api.post("/v1/workshops/\(s.workshop)/rounds", token: s.moderator, #"{"title":"t","method":"approval"}"#)
            let ballot = TestAPI.json(e.resolve(["approve": ["A"]]))
            #expect(try await api.put("/v1/rounds/\(created.id)/ballot", token: s.participant, ballot).status == .conflict)
            #expect(try await api.post("/v1/rounds/\(created.id)/close", token: s.moderator, "{}").status == .conflict)
            #expect(try await api.post("/v1/rounds/\(created.id)/open", token: s.participant, "{}").status == .forbidden)
            #expect(try await api.post("/v1/rounds/\(created.id)/open", token: s.moderator, "{}").body["state"]?.string == "open")
            #expect(try await api.post("/v1/rounds/\(created.id)/open", token: s.moderator, "{}").status == .conflict)
            #expect(try await api.put("/v1/rounds/\(created.id)/ballot", token: s.observer, ballot).status == .forbidden)
            #expect(try await api.put("/v1/rounds/\(created.id)/ballot", token: api.admin, ballot).status == .forbidden)
            #expect(try await api.put("/v1/rounds/\(created.id)/ballot", token: s.participant, ballot).status == .ok)
            #expect(try await api.put("/v1/rounds/\(created.id)/ballot", token: s.moderator, ballot).status == .ok)
            #expect(try await api.post("/v1/rounds/\(created.id)/close", token: s.moderator, "{}").body["state"]?.string == "closed")
            #expect(try await api.put("/v1/rounds/\(created.id)/ballot", token: s.participant, ballot).status == .conflict)
            #expect(try await api.request(.delete, "/v1/rounds/\(created.id)/ballot", token: s.participant).status == .conflict)
            let other = try await Scenario.make(api, slug: "fremd")
            #expect(try await api.get("/v1/rounds/\(created.id)/ranking", token: other.moderator).status == .notFound)
            #expect(try await api.put("/v1/rounds/\(created.id)/ballot", token: other.participant, ballot).status == .notFound)
            // Opening needs the voting phase.
            let draftPhase = try await Election.make(api, slug: "spaeter")
            _ = try await api.post("/v1/workshops/\(draftPhase.scenario.workshop)/phase", token: draftPhase.scenario.moderator, #"{"phase":"implementing"}"#)
            let late = try await api.post("/v1/workshops/\(draftPhase.scenario.workshop)/rounds", token: draftPhase.scenario.moderator,
                                          #"{"title":"t","method":"approval"}"#)
            #expect(late.status == .conflict)
        }
    }

    @Test("the ranking is empty before the first published snapshot, provisional for moderators while open, final once closed")
    func rankingLifecycle() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            try await e.minGroupSize(api, 2)
            let round = try await e.round(api, ["method": "dot"])
            let empty = try await api.get("/v1/rounds/\(round)/ranking", token: e.scenario.moderator)
            #expect(empty.status == .ok)
            #expect(empty.body["items"]?.array.isEmpty == true)
            #expect(empty.body["ballots_counted"]?.int == 0)
            #expect(empty.body["provisional"]?.bool == true)
            // One ballot is under k = 2: computed, but not published to anyone.
            try await e.vote(api, in: round, group: "industry", ["points": ["A": 5]])
            #expect(try await e.standing(api, of: round, as: e.scenario.moderator)["ballots_counted"]?.int == 0)
            try await e.vote(api, in: round, group: "industry", ["points": ["A": 4]])
            let provisional = try await e.standing(api, of: round, as: e.scenario.moderator)
            #expect(provisional["provisional"]?.bool == true)
            #expect(provisional["ballots_counted"]?.int == 2)
            // Observers see nothing of an open round that does not show live results.
            let observed = try await e.standing(api, of: round, as: e.scenario.observer)
            #expect(observed["withheld"]?.string == "until_close")
            #expect(observed["items"]?.array.isEmpty == true)
            let final = try await e.ranking(api, of: round)
            #expect(final["provisional"]?.bool == false)
            #expect(final["withheld"] == .null)
            #expect(final["digest"] == provisional["digest"])
            #expect(final["items"]?[0]?["code"]?.string == "A")
            #expect(final["items"]?[0]?["rank_interval"]?.array.map(\.int) == [1, 1])
        }
    }

    @Test("concurrent ballots share commits: every acknowledged one is kept, versions count up per member")
    func groupCommit() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let open = try await e.round(api, ["method": "approval"])
            let closed = try await e.round(api, ["method": "approval"])
            _ = try await api.post("/v1/rounds/\(closed)/close", token: e.scenario.moderator, "{}")
            var tokens: [String] = []
            for i in 0..<40 { tokens.append(try await e.scenario.member(api, group: i % 2 == 0 ? "industry" : "science")) }
            let ballot = TestAPI.json(e.resolve(["approve": ["A", "C"]]))
            // Each member three times at once in the open round, and once in the closed one.
            let statuses = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for token in tokens {
                    for _ in 0..<3 {
                        group.addTask { ("open", try await api.put("/v1/rounds/\(open)/ballot", token: token, ballot).status.code) }
                    }
                    group.addTask { ("closed", try await api.put("/v1/rounds/\(closed)/ballot", token: token, ballot).status.code) }
                }
                return try await group.reduce(into: [String: [Int]]()) { $0[$1.0, default: []].append($1.1) }
            }
            #expect(statuses["open"]?.allSatisfy { $0 == 200 } == true)
            #expect(statuses["open"]?.count == 120)
            #expect(statuses["closed"]?.allSatisfy { $0 == 409 } == true)
            let rows = try await api.database.query("""
                SELECT count(*), count(DISTINCT member_id), min(version), max(version)
                  FROM ballot_history WHERE round_id = \(UUID(uuidString: open)!)
                """, logger: TestDatabase.logger)
            for try await (count, members, low, high) in rows.decode((Int64, Int64, Int32, Int32).self) {
                #expect(count == 120)
                #expect(members == 40)
                #expect(low == 1 && high == 3)
            }
            let current = try await api.database.query(
                "SELECT count(*) FROM ballots WHERE round_id = \(UUID(uuidString: open)!) AND version = 3",
                logger: TestDatabase.logger)
            for try await count in current.decode(Int64.self) { #expect(count == 40) }
        }
    }
}

/// Bodies built to break a parser or a counter: each is refused with a 4xx that names
/// the problem, the process survives, and nothing is stored.
@Suite struct HostileBallotTests {
    @Test("invalid UTF-8, deep nesting, huge objects and numbers out of range are 4xx and store nothing")
    func hostileBallots() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api, slug: "feindlich")
            let round = try await e.round(api, ["method": "dot", "points_per_member": 5, "max_points_per_item": 3])
            let token = try await e.scenario.member(api, group: "industry")
            let a = e.ids["A"]!
            let path = "/v1/rounds/\(round)/ballot"

            // Invalid UTF-8 as JSON (0xFF never occurs in UTF-8), and the same bytes unlabelled.
            let invalidBytes = ByteBuffer(bytes: Array(#"{"points":{""#.utf8) + [0xFF, 0xFE] + Array(#"":3}}"#.utf8))
            let invalidUTF8 = try await api.request(.put, path, token: token, contentType: "application/json",
                                                    body: invalidBytes)
            #expect(invalidUTF8.status == .unprocessableContent, "\(invalidUTF8.text)")
            let unlabelled = try await api.request(.put, path, token: token, body: invalidBytes)
            #expect(unlabelled.status == .unsupportedMediaType)

            let hostile: [(String, String)] = [
                ("nested 100 000 deep", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)),
                ("nested inside a ballot", #"{"points":"# + String(repeating: #"{"a":"#, count: 50_000) + "1"
                    + String(repeating: "}", count: 50_000) + "}"),
                ("100 000 keys", #"{"points":{"# + (0..<100_000).map { #""k\#($0)":1"# }.joined(separator: ",") + "}}"),
                ("points beyond Int64", #"{"points":{"\#(a)":9223372036854775808}}"#),
                ("points 1e400", #"{"points":{"\#(a)":1e400}}"#),
                ("negative points", #"{"points":{"\#(a)":-3}}"#),
                ("fractional points", #"{"points":{"\#(a)":1.5}}"#),
                ("points as a string", #"{"points":{"\#(a)":"3"}}"#),
            ]
            for (what, body) in hostile {
                let reply = try await api.put(path, token: token, body)
                #expect(reply.status == .unprocessableContent || reply.status == .contentTooLarge, "\(what): \(reply.status)")
                #expect(reply.headers[.contentType] == "application/problem+json", "\(what)")
            }

            // The process is alive and the member can still vote; nothing above was stored.
            let history = try await api.database.query("SELECT count(*) FROM ballot_history", logger: TestDatabase.logger)
            for try await count in history.decode(Int64.self) { #expect(count == 0) }
            let fine = try await api.put(path, token: token, #"{"points":{"\#(a)":3}}"#)
            #expect(fine.status == .ok, "\(fine.text)")
        }
    }
}
