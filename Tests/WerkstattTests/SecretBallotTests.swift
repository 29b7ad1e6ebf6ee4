import Crypto
import Foundation
import PostgresNIO
import Testing
import WerkstattDomain
import WerkstattWorker

/// Secret ballots that stay secret, and results anyone can check, through the HTTP API.
@Suite("Secret ballots and checkable results")
struct SecretBallotTests {
    /// A closed dot round under k = 3: industry 3 voters, science 3, and one union voter
    /// who alone gives C points. Union (1) is under k; science, the smallest shown group
    /// (a tie with industry, later in group order), joins it in the pool.
    static func smallGroup(_ api: TestAPI) async throws -> (Election, String, JSON) {
        let e = try await Election.make(api, slug: "kleine-gruppe")
        try #require(try await api.request(.patch, "/v1/workshops/\(e.scenario.workshop)", token: e.scenario.moderator,
                                           json: #"{"min_group_size":3,"public_report":true}"#).status == .ok)
        let round = try await e.round(api, ["method": "dot", "title": "Priorisierung Herbst"])
        for _ in 0..<3 { try await e.vote(api, in: round, group: "industry", ["points": ["A": 5]]) }
        for _ in 0..<3 { try await e.vote(api, in: round, group: "science", ["points": ["A": 3, "B": 2]]) }
        try await e.vote(api, in: round, group: "union", ["points": ["C": 5]])
        return (e, round, try await e.ranking(api, of: round))
    }

    @Test("a group of one voter shows nowhere on its own: ranking JSON, CSV, Markdown, HTML and the public report")
    func groupOfOne() async throws {
        try await TestAPI.run { api in
            let (e, round, ranking) = try await Self.smallGroup(api)
            #expect(ranking["min_group_size"]?.int == 3)
            #expect(ranking["withheld_groups"]?.array.map(\.string) == ["science", "union"])
            for item in ranking["items"]!.array {
                #expect(item["by_group"]?.keys == ["industry", "further_groups"])
                #expect(item["by_group"]?["industry"]?["ballots"]?.int == 3)
                #expect(item["by_group"]?["further_groups"]?["ballots"]?.int == 4)
            }
            // The union voter's 5 points on C appear only inside the pool of four ballots.
            let c = ranking["items"]!.array.first { $0["code"]?.string == "C" }!
            #expect(c["score"]?.double == 5)
            #expect(c["by_group"]?["further_groups"]?["score"]?.double == 5)
            // Consensus over (industry, pool): C has 0 of 3 and 1 of 4 supporters.
            #expect(abs(c["consensus"]!.double! - ((1.0 / 5.0) * (2.0 / 6.0)).squareRoot()) < 1e-9)

            let path = "/v1/rounds/\(round)/ranking"
            let csv = try await api.get("\(path)?format=csv", token: e.scenario.observer).text
            let header = try #require(csv.split(separator: "\r\n").first)
            #expect(header.contains("Score further groups") && header.contains("Score industry"))
            #expect(!header.contains("union") && !header.contains("science"))
            let markdown = try await api.get("\(path)?format=md", token: e.scenario.observer).text
            let table = markdown.split(separator: "\n").filter { $0.hasPrefix("|") }
            #expect(!table.contains { $0.contains("union") || $0.contains("science") })
            #expect(markdown.contains("(k = 3): science, union"))
            for html in [try await api.get("\(path)?format=html", token: e.scenario.observer).text,
                         try await api.get("/reports/kleine-gruppe", token: nil).text] {
                #expect(html.contains("<th>further groups <small>(4)</small></th>"))
                #expect(!html.contains("<th>union") && !html.contains("<th>science"))
                #expect(html.contains("(k = 3): science, union"))
                #expect(try ResultsTests.isWellFormed(html))
            }
            // A member who moves after the close does not move in a recount: ballots keep the
            // group they were counted in.
            let unionVoter = try await api.get("/v1/workshops/\(e.scenario.workshop)/members?stakeholder_group=union",
                                               token: e.scenario.moderator).body["items"]![0]!["id"]!.string!
            #expect(try await api.request(.patch, "/v1/members/\(unionVoter)", token: e.scenario.moderator,
                                          json: #"{"stakeholder_group":"industry"}"#).status == .ok)
            // A new k recounts the round; its snapshot and digest say which k.
            _ = try await api.request(.patch, "/v1/workshops/\(e.scenario.workshop)", token: e.scenario.moderator,
                                      json: #"{"min_group_size":4}"#)
            let recounted = try await e.standing(api, of: round, as: e.scenario.observer)
            #expect(recounted["min_group_size"]?.int == 4)
            #expect(recounted["digest"] != ranking["digest"])
            // Under k = 4 every group is too small, and all of them together are the total.
            #expect(recounted["items"]!.array.allSatisfy { $0["by_group"]?.keys.isEmpty == true })
            #expect(recounted["withheld_groups"]?.array.map(\.string) == ["industry", "science", "union"])
            let audit = try await api.get("/v1/rounds/\(round)/audit", token: e.scenario.observer).body
            #expect(audit["canonical"]?.string?.contains("\nunion 2:5\n") == true, "the voter's ballot stays in its group")
        }
    }

    @Test("thesis stance counts: a group of one is pooled")
    func stanceGroupOfOne() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            _ = try await api.request(.patch, "/v1/workshops/\(s.workshop)", token: s.moderator, json: #"{"min_group_size":2}"#)
            let thesis = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant, #"{"title":"t","body":"b"}"#)
            for (group, stance) in [("industry", "agree"), ("industry", "agree"), ("union", "disagree"), ("science", "agree")] {
                let token = try await s.member(api, group: group)
                #expect(try await api.put("/v1/theses/\(thesis.id)/stance", token: token, #"{"stance":"\#(stance)"}"#).status == .ok)
            }
            let stances = try await api.get("/v1/theses/\(thesis.id)", token: s.observer).body["stances"]!
            #expect(stances["by_group"]?.keys == ["industry", "further_groups"])
            #expect(stances["by_group"]?["further_groups"]?["agree"]?.int == 1)
            #expect(stances["by_group"]?["further_groups"]?["disagree"]?.int == 1)
            #expect(stances["withheld_groups"]?.array.map(\.string) == ["science", "union"])
        }
    }

    @Test("an open round's standing: moderators only, live rounds for all members in steps of at least k people, public reports closed rounds only")
    func provisionalStandings() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api, slug: "live")
            let s = e.scenario
            _ = try await api.request(.patch, "/v1/workshops/\(s.workshop)", token: s.moderator,
                                      json: #"{"min_group_size":2,"public_report":true}"#)
            // After close (the default): the moderator sees it, nobody else.
            let quiet = try await e.round(api, ["method": "approval", "title": "Stille Runde"])
            for _ in 0..<2 { try await e.vote(api, in: quiet, group: "industry", ["approve": ["B"]]) }
            #expect(try await e.standing(api, of: quiet, as: s.moderator)["ballots_counted"]?.int == 2)
            for token in [s.observer, s.participant] {
                let hidden = try await e.standing(api, of: quiet, as: token)
                #expect(hidden["withheld"]?.string == "until_close")
                #expect(hidden["items"]?.array.isEmpty == true && hidden["digest"] == .null)
            }
            for format in ["csv", "md", "html"] {
                let text = try await api.get("/v1/rounds/\(quiet)/ranking?format=\(format)", token: s.observer).text
                #expect(!text.contains("Empfehlung B"), "\(format)")
            }
            // The observer's list keeps code order; nothing of the open round leaks into it.
            let list = try await api.get("/v1/workshops/\(s.workshop)/implementation-list", token: s.observer).body
            #expect(list["items"]!.array.map { $0["code"]!.string! } == ["A", "B", "C"])
            #expect(list["round_id"] == .null)
            let report = try await api.get("/reports/live", token: nil).text
            #expect(!report.contains("Stille Runde"))

            // Live: every member sees it, but only in steps of at least k = 2 members.
            let live = try await e.round(api, ["method": "approval", "results": "live", "title": "Beamer"])
            let first = try await s.member(api, group: "industry")
            func cast(_ token: String, _ items: [String]) async throws {
                let reply = try await api.put("/v1/rounds/\(live)/ballot", token: token, TestAPI.json(e.resolve(["approve": items])))
                try #require(reply.status == .ok, "\(reply.text)")
            }
            try await cast(first, ["A"])
            var reading = try await e.standing(api, of: live, as: s.observer)
            #expect(reading["ballots_counted"]?.int == 0 && reading["withheld"] == .null)
            try await cast(s.participant, ["B"])
            reading = try await e.standing(api, of: live, as: s.observer)
            #expect(reading["ballots_counted"]?.int == 2)
            // One member changing their ballot, however often, is one member: no new reading.
            try await cast(first, ["C"])
            try await cast(first, ["B", "C"])
            let unchanged = try await e.standing(api, of: live, as: s.observer)
            #expect(unchanged["digest"] == reading["digest"])
            #expect(try await e.standing(api, of: live, as: s.moderator)["digest"] == reading["digest"])
            // A second member's ballot makes two: a new reading.
            let third = try await s.member(api, group: "union")
            try await cast(third, ["A"])
            reading = try await e.standing(api, of: live, as: s.observer)
            #expect(reading["ballots_counted"]?.int == 3)
            #expect(reading["digest"] != unchanged["digest"])
            #expect(!(try await api.get("/reports/live", token: nil).text.contains("Beamer")), "open: not public")
            // Casting the same ballots again, even by two members, changes nothing a reader
            // sees: it does not count towards the next reading; one real change does not either.
            try await cast(third, ["A"])
            try await cast(s.participant, ["B"])
            try await cast(first, ["A"])
            let recast = try await e.standing(api, of: live, as: s.observer)
            #expect(recast["digest"] == reading["digest"])
            // Closed: between the close and the final count, nobody but moderators sees the
            // last provisional reading; then everyone sees the final one.
            _ = try await api.post("/v1/rounds/\(live)/close", token: s.moderator, "{}")
            let gap = try await api.get("/v1/rounds/\(live)/ranking", token: s.observer).body
            #expect(gap["items"]?.array.isEmpty == true && gap["digest"] == .null)
            let final = try await e.standing(api, of: live, as: s.observer)
            #expect(final["provisional"]?.bool == false && final["ballots_counted"]?.int == 3)

            // Closed, the round is in the public report and orders everybody's list.
            _ = try await e.ranking(api, of: quiet)
            let closedReport = try await api.get("/reports/live", token: nil).text
            #expect(closedReport.contains("Stille Runde") && !closedReport.contains("Beamer"))
            let ordered = try await api.get("/v1/workshops/\(s.workshop)/implementation-list", token: s.observer).body
            #expect(ordered["round_id"]?.string == quiet)
            #expect(ordered["items"]?[0]?["code"]?.string == "B")
        }
    }

    @Test("the audit text: for auditors once closed; it hashes to the digest, holds no member id, and verify recounts it")
    func audit() async throws {
        try await TestAPI.run { api in
            let (e, round, ranking) = try await Self.smallGroup(api)
            let path = "/v1/rounds/\(round)/audit"
            #expect(try await api.get(path, token: e.scenario.participant).status == .forbidden)
            let reply = try await api.get(path, token: e.scenario.observer)
            #expect(reply.status == .ok, "\(reply.text)")
            let canonical = try #require(reply.body["canonical"]?.string)
            #expect(reply.body["format"]?.string == "werkstatt-tally/2")
            #expect(reply.body["digest"] == ranking["digest"])
            let hash = SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(hash == ranking["digest"]?.string)
            #expect(canonical.contains("\nmin_group_size 3\n") && canonical.contains("\nballots 7\n"))
            #expect(canonical.contains("\nunion 2:5\n"), "the union ballot, on C (position 2), with its group")
            let members = try await api.database.query("SELECT id FROM members", logger: TestDatabase.logger)
            for try await id in members.decode(UUID.self) {
                #expect(!canonical.lowercased().contains(id.uuidString.lowercased()))
            }
            // Verify offline, as `werkstatt verify` does.
            let audit = try JSONDecoder.rfc3339().decode(RoundAudit.self, from: Data(reply.text.utf8))
            let check = AuditVerification.verify(audit)
            #expect(check.passed, "\(check.differences)")
            // One ballot changed: the digest no longer matches.
            var tampered = audit
            tampered.canonical = canonical.replacingOccurrences(of: "\nunion 2:5\n", with: "\nunion 0:5\n")
            let caught = AuditVerification.verify(tampered)
            #expect(!caught.digestMatches && !caught.rankingMatches)
            // The command line too, when the binary is built beside the tests.
            try await Self.verifyWithCommand(reply.text, tampered: tampered)

            // Before the close: 409.
            let open = try await e.round(api, ["method": "approval"])
            #expect(try await api.get("/v1/rounds/\(open)/audit", token: e.scenario.observer).status == .conflict)
        }
    }

    /// Runs `werkstatt verify` on the saved audit and on a tampered copy: exit 0, then 1.
    static func verifyWithCommand(_ saved: String, tampered: RoundAudit) async throws {
        guard let binary = Command.binary else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("audit.json"), bad = directory.appendingPathComponent("tampered.json")
        try Data(saved.utf8).write(to: good)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(tampered).write(to: bad)
        let ok = try await Command.run(binary, ["verify", good.path])
        #expect(ok.status == 0, "\(ok.output)\(ok.errors)")
        #expect(ok.output.contains("digest   matches") && ok.output.contains("ranking  matches"))
        let failed = try await Command.run(binary, ["verify", bad.path])
        #expect(failed.status == 1, "\(failed.output)\(failed.errors)")
        #expect(failed.output.contains("MISMATCH"))
    }

    @Test("ballot integrity: case duplicates, withdrawal under the casting rule, leaving voting, frozen groups, late members")
    func ballotIntegrity() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api, slug: "integritaet")
            let s = e.scenario
            let (a, b) = (e.ids["A"]!, e.ids["B"]!)
            let round = try await e.round(api, ["method": "dot", "title": "Runde eins"])
            let ballot = "/v1/rounds/\(round)/ballot"
            // The same id in two spellings is a duplicate, never a sum.
            let twice = try await api.put(ballot, token: s.participant,
                                          #"{"points":{"\#(a.lowercased())":2,"\#(a.uppercased())":2}}"#)
            #expect(twice.status == .unprocessableContent, "\(twice.text)")
            #expect(twice.body["errors"]?[0]?["field"]?.string?.hasPrefix("points.") == true)
            #expect(try await api.put(ballot, token: s.participant, #"{"points":{"\#(a.lowercased())":2,"\#(b)":3}}"#).status == .ok)

            // The workshop cannot leave voting while the round is open.
            let leave = try await api.post("/v1/workshops/\(s.workshop)/phase", token: s.moderator, #"{"phase":"implementing"}"#)
            #expect(leave.status == .conflict)
            #expect(leave.body["detail"]?.string?.contains("Runde eins") == true)

            // Groups are frozen while the round is open, directly or through an organisation.
            let organisation = try await api.post("/v1/organisations", token: api.admin, #"{"name":"IG Metall","stakeholder_group":"union"}"#).id
            let member = "/v1/members/\(s.participantId)"
            #expect(try await api.request(.patch, member, token: s.moderator, json: #"{"stakeholder_group":"union"}"#).status == .conflict)
            #expect(try await api.request(.patch, member, token: s.moderator, json: #"{"display_name":"Umbenannt"}"#).status == .ok)
            let member2 = try await api.post("/v1/workshops/\(s.workshop)/members", token: s.moderator,
                                             #"{"display_name":"spät","role":"participant","organisation_id":"\#(organisation)"}"#)
            #expect(member2.status == .created, "members may still be added while a round is open")
            #expect(try await api.request(.patch, "/v1/organisations/\(organisation)", token: api.admin,
                                          json: #"{"stakeholder_group":"industry"}"#).status == .conflict)
            #expect(try await api.request(.patch, "/v1/organisations/\(organisation)", token: api.admin,
                                          json: #"{"region":"Sachsen"}"#).status == .ok)
            // The late member votes; the snapshot and the report count them.
            #expect(try await api.put(ballot, token: member2.body["token"]!.string!, #"{"points":{"\#(b)":1}}"#).status == .ok)

            let closed = try await e.ranking(api, of: round)
            #expect(closed["late_members"]?.int == 1)
            #expect(try await api.get("/v1/rounds/\(round)/ranking?format=html", token: s.observer).text
                .contains("Ballots of members added after the round opened: 1"))
            // Withdrawing follows the casting rule: the same 409 once the round is closed.
            let withdraw = try await api.request(.delete, ballot, token: s.participant)
            let cast = try await api.put(ballot, token: s.participant, #"{"points":{"\#(b)":1}}"#)
            #expect(withdraw.status == .conflict && cast.status == .conflict)
            #expect(withdraw.body["detail"] == cast.body["detail"])
            // Closed, the group may change again.
            #expect(try await api.request(.patch, member, token: s.moderator, json: #"{"stakeholder_group":"union"}"#).status == .ok)
            #expect(try await api.post("/v1/workshops/\(s.workshop)/phase", token: s.moderator, #"{"phase":"implementing"}"#).status == .ok)
        }
    }

    @Test("a closed workshop takes no writes: withdrawing theses and hiding comments included")
    func closedWorkshop() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let thesis = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant, #"{"title":"t","body":"b"}"#).id
            let comment = try await api.post("/v1/theses/\(thesis)/comments", token: s.participant, #"{"body":"c"}"#).id
            #expect(try await api.post("/v1/workshops/\(s.workshop)/phase", token: s.moderator, #"{"phase":"closed"}"#).status == .ok)
            // The members' tokens read only (403); an admin meets the phase rule (409).
            for token in [s.participant, s.moderator] {
                #expect(try await api.post("/v1/theses/\(thesis)/withdraw", token: token, #"{"reason":"r"}"#).status == .forbidden)
            }
            #expect(try await api.post("/v1/theses/\(thesis)/withdraw", token: api.admin, #"{"reason":"r"}"#).status == .conflict)
            #expect(try await api.post("/v1/comments/\(comment)/hide", token: api.admin, #"{"reason":"r"}"#).status == .conflict)
            #expect(try await api.request(.patch, "/v1/workshops/\(s.workshop)", token: api.admin,
                                          json: #"{"min_group_size":3}"#).status == .conflict)
            #expect(try await api.request(.patch, "/v1/members/\(s.participantId)", token: api.admin,
                                          json: #"{"display_name":"x"}"#).status == .conflict)
            #expect(try await api.get("/v1/theses/\(thesis)", token: s.participant).status == .ok, "reading goes on")
        }
    }

    @Test("a custom balance that weighs no ballot keeps the round from closing, with a problem that says why")
    func weightlessBalance() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "approval", "balance": ["custom": ["science": 1]]])
            try await e.vote(api, in: round, group: "industry", ["approve": ["A"]])
            let refused = try await api.post("/v1/rounds/\(round)/close", token: e.scenario.moderator, "{}")
            #expect(refused.status == .conflict)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(refused.body["detail"]?.string?.contains("custom balance") == true)
            #expect(refused.body["detail"]?.string?.contains("industry") == true)
            try await e.vote(api, in: round, group: "science", ["approve": ["B"]])
            #expect(try await api.post("/v1/rounds/\(round)/close", token: e.scenario.moderator, "{}").status == .ok)
        }
    }

    @Test("a round over the cap of recommendations is refused, also when it would take all of them")
    func cap() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api, phase: "voting")
            let csv = "code,title\n" + (1...Round.maxItems + 1).map { "R\($0),Empfehlung \($0)" }.joined(separator: "\n") + "\n"
            let imported = try await api.request(.post, "/v1/workshops/\(s.workshop)/recommendations:import", token: s.moderator,
                                                 json: csv, contentType: "text/csv")
            #expect(imported.status == .ok, "\(imported.text)")
            let all = try await api.post("/v1/workshops/\(s.workshop)/rounds", token: s.moderator, #"{"title":"alle","method":"ranking"}"#)
            #expect(all.status == .unprocessableContent)
            #expect(all.body["errors"]?[0]?["message"]?.string?.contains("at most \(Round.maxItems)") == true)
            #expect(try await api.get("/v1/workshops/\(s.workshop)/rounds", token: s.moderator).body["items"]?.array.isEmpty == true)
        }
    }

    @Test("a failing round and a slow one back off; the round beside them still gets its snapshot")
    func failingRounds() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let failing = try await e.round(api, ["method": "dot"])
            let slow = try await e.round(api, ["method": "dot"])
            let normal = try await e.round(api, ["method": "dot"])
            for round in [failing, slow, normal] { try await e.vote(api, in: round, group: "industry", ["points": ["A": 1]]) }
            struct Broken: Error {}
            let release = Gate()
            defer { release.open() }
            let (failingId, slowId) = (UUID(uuidString: failing)!, UUID(uuidString: slow)!)
            // The slow round waits until the end of the test, so any deadline stops it;
            // 10 s is one no normal computation reaches, however loaded the machine.
            let worker = AggregationWorker(client: api.database, logger: TestDatabase.logger,
                                           computationDeadline: .seconds(10)) { step, round in
                guard step == .loaded else { return }
                if round == failingId { throw Broken() }
                if round == slowId { await release.wait() }
            }
            // One pass: the failing and the slow round are older, and neither blocks the third.
            await worker.drain()
            #expect(try await WorkerTests.snapshots(api, normal).count == 1)
            // The normal round did not wait for the slow one: its snapshot was written before
            // the slow round's deadline ran out (its first back-off is set then, for 1 s).
            let order = try await api.database.query("""
                SELECT (SELECT computed_at FROM ranking_snapshots WHERE round_id = \(UUID(uuidString: normal)!))
                       < (SELECT retry_after - interval '1 second' FROM round_backoff WHERE round_id = \(slowId) AND failures = 1)
                """, logger: TestDatabase.logger)
            for try await before in order.decode(Bool?.self) { #expect(before != false) }
            #expect(try await WorkerTests.snapshots(api, failing).isEmpty)
            #expect(try await WorkerTests.snapshots(api, slow).isEmpty)
            // (How often each was retried meanwhile depends on the machine's speed: the
            // first wait is a second. That each backs off, with its reason, does not.)
            let backoff = try await api.database.query(
                "SELECT round_id, failures, last_error IS NOT NULL FROM round_backoff ORDER BY round_id",
                logger: TestDatabase.logger)
            var backingOff: [UUID] = []
            for try await (round, failures, explained) in backoff.decode((UUID, Int32, Bool).self) {
                #expect(failures >= 1 && explained)
                backingOff.append(round)
            }
            #expect(Set(backingOff) == [failingId, slowId])
        }
    }
}
