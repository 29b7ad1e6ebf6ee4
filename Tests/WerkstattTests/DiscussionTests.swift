import Foundation
import Testing
import WerkstattDomain
import WerkstattStore

@Suite("Collect and discuss")
struct DiscussionTests {
    @Test("participants bring in theses; the phase decides when")
    func thesesAndPhases() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api, phase: "draft")
            let path = "/v1/workshops/\(s.workshop)/theses"
            let thesis = #"{"title":"Industrie braucht Fachkräfte","body":"Ausbildung stärken"}"#
            #expect(try await api.post(path, token: s.participant, thesis).status == .conflict)
            _ = try await api.post("/v1/workshops/\(s.workshop)/phase", token: s.moderator, #"{"phase":"collecting"}"#)
            let created = try await api.post(path, token: s.participant, thesis)
            #expect(created.status == .created)
            #expect(created.body["author_id"]?.string == s.participantId)
            #expect(try await api.post(path, token: s.observer, thesis).status == .forbidden)
            #expect(try await api.post(path, token: api.admin, thesis).status == .forbidden)
            #expect(try await api.post(path, token: s.participant, #"{"title":"","body":"x"}"#).status == .unprocessableContent)
            _ = try await api.post("/v1/workshops/\(s.workshop)/phase", token: s.moderator, #"{"phase":"voting"}"#)
            #expect(try await api.post(path, token: s.participant, thesis).status == .conflict)
            // Reading is always allowed to members.
            #expect(try await api.get(path, token: s.observer).body["items"]?.array.count == 1)
            #expect(try await api.get("/v1/theses/\(created.id)", token: s.observer).status == .ok)
        }
    }

    @Test("theses refer only to working groups and events of their own workshop")
    func thesisReferences() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let other = try await Scenario.make(api, slug: "muelheim")
            let foreignGroup = try await api.post("/v1/workshops/\(other.workshop)/working-groups", token: other.moderator,
                                                  #"{"code":"AK 1","title":"t"}"#)
            let ownGroup = try await api.post("/v1/workshops/\(s.workshop)/working-groups", token: s.moderator,
                                              #"{"code":"AK 1","title":"t"}"#)
            let bad = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant,
                TestAPI.json(["title": "t", "body": "b", "working_group_id": foreignGroup.id]))
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body["errors"]?[0]?["field"]?.string == "working_group_id")
            let good = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant,
                TestAPI.json(["title": "t", "body": "b", "working_group_id": ownGroup.id]))
            #expect(good.status == .created)
            _ = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant, #"{"title":"u","body":"b"}"#)
            let filtered = try await api.get("/v1/workshops/\(s.workshop)/theses?working_group_id=\(ownGroup.id)", token: s.observer)
            #expect(filtered.body["items"]?.array.map { $0["id"]?.string } == [good.id])
            #expect(try await api.get("/v1/workshops/\(s.workshop)/theses?working_group_id=nope", token: s.observer).status == .unprocessableContent)
        }
    }

    @Test("stances are counted per stakeholder group with consensus and controversy")
    func stanceAggregation() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let thesis = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant,
                                            #"{"title":"Transformationslabore","body":"b"}"#)
            let path = "/v1/theses/\(thesis.id)/stance"
            // industry: participant agrees, then changes its mind (replace, not add).
            #expect(try await api.put(path, token: s.participant, #"{"stance":"agree"}"#).status == .ok)
            #expect(try await api.put(path, token: s.participant, #"{"stance":"disagree"}"#).body["stance"]?.string == "disagree")
            for _ in 0..<3 {
                let union = try await s.member(api, group: "union")
                #expect(try await api.put(path, token: union, #"{"stance":"agree"}"#).status == .ok)
            }
            let passer = try await s.member(api, group: "science")
            _ = try await api.put(path, token: passer, #"{"stance":"pass"}"#)
            #expect(try await api.put(path, token: s.observer, #"{"stance":"agree"}"#).status == .forbidden)
            #expect(try await api.put(path, token: s.participant, #"{"stance":"maybe"}"#).status == .unprocessableContent)

            // With k = 5 every group here is too small to show: totals only, and agreement
            // over all stances at once, (3 + 1) / (4 + 2).
            var stances = try #require(try await api.get("/v1/theses/\(thesis.id)", token: s.observer).body["stances"])
            #expect(stances["agree"]?.int == 3)
            #expect(stances["disagree"]?.int == 1)
            #expect(stances["pass"]?.int == 1)
            #expect(stances["by_group"]?.keys.isEmpty == true)
            #expect(stances["withheld_groups"]?.array.map(\.string) == ["industry", "science", "union"])
            #expect(abs(stances["consensus"]!.double! - 4.0 / 6.0) < 1e-9)
            #expect(stances["controversy"]?.double == 0)
            // With k = 2: union (3) is shown; industry (1) and science (1) are pooled.
            _ = try await api.request(.patch, "/v1/workshops/\(s.workshop)", token: s.moderator, json: #"{"min_group_size":2}"#)
            stances = try #require(try await api.get("/v1/theses/\(thesis.id)", token: s.observer).body["stances"])
            #expect(stances["by_group"]?["union"]?["agree"]?.int == 3)
            #expect(stances["by_group"]?["further_groups"]?["disagree"]?.int == 1)
            #expect(stances["by_group"]?["further_groups"]?["pass"]?.int == 1)
            #expect(stances["by_group"]?["industry"] == nil && stances["by_group"]?["science"] == nil)
            #expect(stances["withheld_groups"]?.array.map(\.string) == ["industry", "science"])
            // Entries with ballots: union p = 4/5, the pool p = 1/3 (science only passed).
            let consensus = (1.0 / 3.0 * 4.0 / 5.0).squareRoot()
            let controversy = 2 * abs(4.0 / 5.0 - 1.0 / 3.0) / 2
            #expect(abs(stances["consensus"]!.double! - consensus) < 1e-9)
            #expect(abs(stances["controversy"]!.double! - controversy) < 1e-9)

            let rows = try await api.database.query("SELECT count(*) FROM stances", logger: TestDatabase.logger)
            for try await count in rows.decode(Int64.self) { #expect(count == 5) }

            // Read for several theses at once (the lineages of a report), the figures are
            // the ones above; a thesis nobody took a stance on has none, an unknown id is left out.
            let quiet = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant,
                                           #"{"title":"Leise These","body":"b"}"#)
            let theses = PostgresThesisRepository(client: api.database, logger: TestDatabase.logger)
            let ids = [try #require(UUID(uuidString: thesis.id)), try #require(UUID(uuidString: quiet.id))]
            let summaries = try await theses.stances(of: ids + [ids[0]])
            #expect(try JSON.parse(JSONEncoder().encode(summaries[ids[0]])) == stances)
            #expect(summaries[ids[1]] == StanceSummary.empty)
            #expect(summaries[ids[1]]?.agree == 0 && summaries[ids[1]]?.byGroup.isEmpty == true)
            #expect(Set(try await theses.get(ids + [UUID()]).keys) == Set(ids))
        }
    }

    @Test("comments come in thread order with depth; hiding keeps the text in the database")
    func commentsThreadAndHide() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let thesis = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant, #"{"title":"t","body":"b"}"#)
            let path = "/v1/theses/\(thesis.id)/comments"
            let first = try await api.post(path, token: s.participant, #"{"body":"erster"}"#)
            let second = try await api.post(path, token: s.moderator, #"{"body":"zweiter"}"#)
            let reply = try await api.post(path, token: s.moderator, TestAPI.json(["body": "Antwort", "parent_id": first.id]))
            let replyToReply = try await api.post(path, token: s.participant, TestAPI.json(["body": "Antwort auf Antwort", "parent_id": reply.id]))
            #expect(replyToReply.body["depth"]?.int == 2)
            #expect(replyToReply.body["parent_id"]?.string == reply.id)

            let listed = try await api.get(path, token: s.observer)
            #expect(listed.body["items"]?.array.map { $0["id"]!.string! } == [first.id, reply.id, replyToReply.id, second.id])
            #expect(listed.body["items"]?.array.map { $0["depth"]!.int! } == [0, 1, 2, 0])

            // A parent from another discussion is refused.
            let otherThesis = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant, #"{"title":"u","body":"b"}"#)
            let foreign = try await api.post("/v1/theses/\(otherThesis.id)/comments", token: s.participant,
                                             TestAPI.json(["body": "x", "parent_id": first.id]))
            #expect(foreign.status == .unprocessableContent)

            #expect(try await api.post("/v1/comments/\(first.id)/hide", token: s.participant, #"{"reason":"x"}"#).status == .forbidden)
            #expect(try await api.post("/v1/comments/\(first.id)/hide", token: s.moderator, #"{"reason":""}"#).status == .unprocessableContent)
            let hidden = try await api.post("/v1/comments/\(first.id)/hide", token: s.moderator, #"{"reason":"Beleidigung"}"#)
            #expect(hidden.status == .ok)
            #expect(hidden.body["hidden"]?.bool == true)
            #expect(hidden.body["body"] == nil)
            #expect(hidden.body["hidden_reason"]?.string == "Beleidigung")
            let after = try await api.get(path, token: s.participant)
            #expect(after.body["items"]?[0]?["body"] == nil)
            #expect(!after.text.contains("erster"))
            let rows = try await api.database.query(
                "SELECT body, hidden_by IS NOT NULL FROM comments WHERE id = \(UUID(uuidString: first.id)!)",
                logger: TestDatabase.logger)
            for try await (body, recordedWho) in rows.decode((String, Bool).self) {
                #expect(body == "erster")
                #expect(recordedWho)
            }
        }
    }

    @Test("comments follow the phase: none in draft, only comments while implementing")
    func commentPhases() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api, phase: "draft")
            let recommendation = try await api.post("/v1/workshops/\(s.workshop)/recommendations", token: s.moderator,
                                                    #"{"code":"N","title":"TGZ 4.0","body":"b"}"#)
            let path = "/v1/recommendations/\(recommendation.id)/comments"
            #expect(try await api.post(path, token: s.participant, #"{"body":"x"}"#).status == .conflict)
            _ = try await api.post("/v1/workshops/\(s.workshop)/phase", token: s.moderator, #"{"phase":"implementing"}"#)
            #expect(try await api.post(path, token: s.participant, #"{"body":"läuft"}"#).status == .created)
            #expect(try await api.get(path, token: s.observer).body["items"]?.array.count == 1)
            _ = try await api.post("/v1/workshops/\(s.workshop)/phase", token: s.moderator, #"{"phase":"closed"}"#)
            // Closed: the members' tokens read only.
            #expect(try await api.post(path, token: s.participant, #"{"body":"x"}"#).status == .forbidden)
        }
    }

    @Test("recommendations with lead, timeframe and theses; codes unique per workshop")
    func recommendations() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let thesis = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant, #"{"title":"t","body":"b"}"#)
            let path = "/v1/workshops/\(s.workshop)/recommendations"
            let created = try await api.post(path, token: s.moderator, TestAPI.json([
                "code": "AK1-03", "title": "Schüler-Ingenieur-Akademie", "body": "b",
                "thesis_ids": [thesis.id], "lead": ["Mülheim & Business", "HRW-Transferstelle"],
                "timeframe": ["kind": "by", "year": 2018],
            ]))
            #expect(created.status == .created)
            #expect(created.body["lead"]?.array.map { $0.string! } == ["Mülheim & Business", "HRW-Transferstelle"])
            #expect(created.body["timeframe"]?["kind"]?.string == "by")
            #expect(created.body["timeframe"]?["year"]?.int == 2018)
            #expect(created.body["timeframe_text"]?.string == "by 2018")
            #expect(created.body["thesis_ids"]?.array.map { $0.string! } == [thesis.id])

            #expect(try await api.post(path, token: s.moderator, #"{"code":"AK1-03","title":"t","body":"b"}"#).status == .conflict)
            #expect(try await api.post(path, token: s.participant, #"{"code":"X","title":"t","body":"b"}"#).status == .forbidden)
            let badTimeframe = try await api.post(path, token: s.moderator,
                #"{"code":"X","title":"t","body":"b","timeframe":{"kind":"range","year":2020,"to_year":2018}}"#)
            #expect(badTimeframe.status == .unprocessableContent)
            #expect(badTimeframe.body["errors"]?[0]?["field"]?.string == "timeframe.to_year")
            let unknownThesis = try await api.post(path, token: s.moderator,
                TestAPI.json(["code": "Y", "title": "t", "body": "b", "thesis_ids": [UUID().uuidString]]))
            #expect(unknownThesis.status == .unprocessableContent)

            #expect(try await api.get("/v1/recommendations/\(created.id)", token: s.observer).body["code"]?.string == "AK1-03")
            #expect(try await api.get(path, token: s.observer).body["items"]?.array.count == 1)
            // The same code in another workshop is fine.
            let other = try await Scenario.make(api, slug: "muelheim")
            #expect(try await api.post("/v1/workshops/\(other.workshop)/recommendations", token: other.moderator,
                                       #"{"code":"AK1-03","title":"t","body":"b"}"#).status == .created)
        }
    }

    @Test("a withdrawn thesis stays, with who and why; it takes no more stances")
    func withdrawThesis() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let thesis = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant, #"{"title":"t","body":"b"}"#)
            let other = try await s.member(api, group: "union")
            let path = "/v1/theses/\(thesis.id)/withdraw"
            #expect(try await api.post(path, token: other, #"{"reason":"x"}"#).status == .forbidden)
            #expect(try await api.post(path, token: s.participant, #"{"reason":""}"#).status == .unprocessableContent)
            let withdrawn = try await api.post(path, token: s.participant, #"{"reason":"Doppelt eingereicht"}"#)
            #expect(withdrawn.status == .ok)
            #expect(withdrawn.body["withdrawn"]?.bool == true)
            #expect(withdrawn.body["withdrawn_reason"]?.string == "Doppelt eingereicht")
            #expect(try await api.put("/v1/theses/\(thesis.id)/stance", token: other, #"{"stance":"agree"}"#).status == .conflict)
            #expect(try await api.get("/v1/theses/\(thesis.id)", token: s.observer).body["withdrawn"]?.bool == true)
            let foreign = try await Scenario.make(api, slug: "fremd")
            #expect(try await api.post(path, token: foreign.moderator, #"{"reason":"x"}"#).status == .notFound)
        }
    }
}
