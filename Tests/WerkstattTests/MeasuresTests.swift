import Foundation
import PostgresNIO
import Testing
import WerkstattDomain
import WerkstattRules
@testable import WerkstattStore

/// Measures at any depth, milestones, history, "as of", lineage and the progress report,
/// through the API against the real PostgreSQL.
@Suite("Implementation tracking: measures, history, as of, progress report")
struct MeasuresTests {
    /// The item of recommendation `code`.
    static func item(_ api: TestAPI, _ e: Election, _ code: String) async throws -> String {
        let list = try await ResultsTests.list(api, e)
        return try #require(list["items"]!.array.first { $0["code"]?.string == code }?["id"]?.string)
    }

    /// Creates a measure; returns its id.
    static func measure(_ api: TestAPI, _ e: Election, item: String, _ body: [String: Any]) async throws -> String {
        let reply = try await api.post("/v1/implementation-items/\(item)/measures", token: e.scenario.moderator, TestAPI.json(body))
        try #require(reply.status == .created, "\(reply.text)")
        return reply.id
    }

    static func fields(_ reply: Reply) -> Set<String> {
        Set(reply.body["errors"]?.array.compactMap { $0["field"]?.string } ?? [])
    }

    @Test("a four-level tree rolls up as checked by hand (null weights included); its rules answer 409 and 422")
    func tree() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let item = try await Self.item(api, e, "A")
            let other = try await Self.item(api, e, "B")
            let mod = e.scenario.moderator
            // The tree of MeasureTreeTests.rollUpByHand, built over HTTP.
            let m1 = try await Self.measure(api, e, item: item, ["title": "M1"])
            _ = try await Self.measure(api, e, item: item, ["title": "M2", "parent_id": m1, "progress": 100, "status": "done"])
            let m3 = try await Self.measure(api, e, item: item, ["title": "M3", "parent_id": m1])
            let m4 = try await Self.measure(api, e, item: item, ["title": "M4", "parent_id": m3, "weight": 3])
            _ = try await Self.measure(api, e, item: item, ["title": "M5", "parent_id": m3, "progress": 10, "status": "in_progress"])
            _ = try await Self.measure(api, e, item: item, ["title": "M6", "parent_id": m3, "progress": 90, "status": "dropped"])
            _ = try await Self.measure(api, e, item: item, ["title": "M7", "parent_id": m4, "progress": 40, "status": "in_progress",
                                                            "milestones": [["title": "Konzept", "due": "2018-05-01"]]])
            _ = try await Self.measure(api, e, item: item, ["title": "M8", "parent_id": m4, "progress": 80, "status": "in_progress",
                                                            "weight": 3])
            let m9 = try await Self.measure(api, e, item: item, ["title": "M9"])

            let list = try await ResultsTests.list(api, e)
            let a = try #require(list["items"]!.array.first { $0["id"]?.string == item })
            #expect(a["progress"]?.double == 38.8)
            #expect(a["progress_source"]?.string == "measures")
            #expect(a["status"]?.string == "in_progress")
            #expect(a["status_source"]?.string == "derived")
            #expect(a["measures"]?.array.map { $0["title"]!.string! } == ["M1", "M9"])
            let m1Reply = try await api.get("/v1/implementation-items/\(item)/measures/\(m1)", token: e.scenario.observer)
            #expect(m1Reply.body["progress"]?.double == 77.5)
            #expect(m1Reply.body["measures"]?[1]?["progress"]?.double == 55)
            #expect(m1Reply.body["measures"]?[1]?["measures"]?[0]?["progress"]?.double == 70)

            // Progress of a parent is computed, never set.
            let itemPath = "/v1/implementation-items/\(item)"
            #expect(try await api.request(.patch, itemPath, token: mod, json: #"{"progress":50}"#).status == .conflict)
            #expect(try await api.request(.patch, "\(itemPath)/measures/\(m3)", token: mod, json: #"{"progress":50}"#).status == .conflict)
            // An explicit status stays until it is set back to null.
            var patched = try await api.request(.patch, itemPath, token: mod, json: #"{"status":"done"}"#)
            #expect(patched.body["status"]?.string == "done")
            #expect(patched.body["status_source"]?.string == "explicit")
            patched = try await api.request(.patch, itemPath, token: mod, json: #"{"status":null}"#)
            #expect(patched.body["status"]?.string == "in_progress")
            #expect(patched.body["status_source"]?.string == "derived")

            // Bad input: one entry per broken rule.
            var bad = try await api.post("\(itemPath)/measures", token: mod, TestAPI.json([
                "title": "x", "progress": 101, "weight": 0, "review_due": "2018-13-01",
                "milestones": [["title": "m", "due": "01.05.2018"]],
            ]))
            #expect(bad.status == .unprocessableContent)
            #expect(Self.fields(bad) == ["progress", "weight", "review_due", "milestones[0].due"])
            bad = try await api.post("\(itemPath)/measures", token: mod, TestAPI.json(["title": "x", "parent_id": UUID().uuidString]))
            #expect(bad.status == .unprocessableContent)
            #expect(Self.fields(bad) == ["parent_id"])
            let foreign = try await Self.measure(api, e, item: other, ["title": "Fremd"])
            bad = try await api.post("\(itemPath)/measures", token: mod, TestAPI.json(["title": "x", "parent_id": foreign]))
            #expect(Self.fields(bad) == ["parent_id"])
            bad = try await api.post("\(itemPath)/measures/\(m1)/move", token: mod, TestAPI.json(["parent_id": m4]))
            #expect(bad.status == .unprocessableContent, "\(bad.text)")
            #expect(Self.fields(bad) == ["parent_id"])
            bad = try await api.request(.patch, itemPath, token: mod, json: #"{"milestones":[{"title":"t","due":"2018-02-30"}]}"#)
            #expect(Self.fields(bad) == ["milestones[0].due"])
            #expect(try await api.request(.patch, "\(itemPath)/measures/\(m9)", token: e.scenario.participant,
                                          json: #"{"progress":5}"#).status == .forbidden)
            // A measure of another item is not found under this one.
            #expect(try await api.get("\(itemPath)/measures/\(foreign)", token: mod).status == .notFound)

            // Moving M9 under M1 changes M1's mean; deleting M3 archives it and all below it.
            let moved = try await api.post("\(itemPath)/measures/\(m9)/move", token: mod, TestAPI.json(["parent_id": m1]))
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try await api.get("\(itemPath)/measures/\(m1)", token: mod).body["progress"]?.double == 51.7)
            #expect(try await api.request(.delete, "\(itemPath)/measures/\(m3)", token: mod).status == .noContent)
            #expect(try await api.get("\(itemPath)/measures/\(m4)", token: mod).status == .notFound)
            let left = try await api.get("\(itemPath)/measures", token: e.scenario.observer)
            #expect(left.body["measures"]?.array.count == 1)
            #expect(left.body["measures"]?[0]?["measures"]?.array.map { $0["title"]!.string! } == ["M2", "M9"])

            // The history keeps everything, newest first, paged; archived rows included.
            var history = try await api.get("\(itemPath)/history?limit=3", token: e.scenario.observer)
            #expect(history.status == .ok, "\(history.text)")
            #expect(history.body["items"]?.array.count == 3)
            #expect(history.body["items"]?[0]?["action"]?.string == "archive")
            #expect(history.body["items"]?[0]?["by"]?["kind"]?.string == "member")
            #expect(history.body["items"]?[0]?["by"]?["id"]?.string != nil)
            var seen = history.body["items"]!.array.count
            while let cursor = history.body["next_cursor"]?.string {
                history = try await api.get("\(itemPath)/history?limit=3&cursor=\(cursor)", token: e.scenario.observer)
                seen += history.body["items"]!.array.count
            }
            // 9 creations, 2 status changes of the item (with its first row before them),
            // one move, 6 archived measures (M3 … M8).
            #expect(seen == 9 + 3 + 1 + 6)
            let stored = try await api.database.query("SELECT count(*) FROM measures WHERE item_id = \(UUID(uuidString: item)!)",
                                                      logger: TestDatabase.logger)
            for try await count in stored.decode(Int64.self) { #expect(count == 9) }
            // Append-only, even for the owner.
            await #expect(throws: (any Error).self) {
                try await api.database.query("DELETE FROM implementation_history", logger: TestDatabase.logger)
            }
        }
    }

    @Test("as of a day, a change made after it is not yet made; the list and its measures stand as they did")
    func asOf() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let item = try await Self.item(api, e, "A")
            let id = try #require(UUID(uuidString: item))
            let useCases = UseCases(repositories: Repositories(postgres: api.database, logger: TestDatabase.logger))
            guard let workshop = try await useCases.repositories.workshops.get(try #require(UUID(uuidString: e.scenario.workshop))) else {
                Issue.record("no workshop"); return
            }
            func at(_ day: String) -> Date { Day.start(of: day)!.addingTimeInterval(43_200) }
            _ = try await useCases.updateImplementationItem(
                id, in: workshop, with: ImplementationChange(status: .inProgress, progress: 20, note: "Auftakt",
                                                             milestones: [Milestone(title: "Konzept", due: "2018-05-31")]),
                by: .commandLine, at: at("2018-01-10"))
            _ = try await useCases.updateImplementationItem(id, in: workshop, with: ImplementationChange(progress: 60, note: "Halbzeit"),
                                                            by: .commandLine, at: at("2018-08-01"))
            let measure = try await useCases.createMeasure(NewMeasure(title: "Später", progress: 0), in: id, of: workshop,
                                                           by: .commandLine, at: at("2018-09-01"))
            // Times in the future, or before the latest recorded change, are refused.
            await #expect(throws: RuleError.self) {
                _ = try await useCases.updateImplementationItem(id, in: workshop, with: ImplementationChange(progress: 1),
                                                                by: .commandLine, at: Date().addingTimeInterval(3_600))
            }
            await #expect(throws: (any Error).self) {
                _ = try await useCases.updateImplementationItem(id, in: workshop, with: ImplementationChange(note: "zu spät"),
                                                                by: .commandLine, at: at("2018-02-01"))
            }

            func listed(_ day: String) async throws -> JSON? {
                let reply = try await api.get("/v1/workshops/\(e.scenario.workshop)/implementation-list?as_of=\(day)",
                                              token: e.scenario.observer)
                try #require(reply.status == .ok, "\(reply.text)")
                #expect(reply.body["as_of"]?.string == day)
                return reply.body["items"]!.array.first { $0["id"]?.string == item }
            }
            let june = try #require(try await listed("2018-06-30"))
            #expect(june["progress"]?.double == 20)
            #expect(june["status"]?.string == "in_progress")
            #expect(june["measures"]?.array.isEmpty == true)
            #expect(june["notes"]?.array.map { $0["note"]!.string! } == ["Auftakt"])
            #expect(june["updated_at"]?.string?.hasPrefix("2018-01-10T12:00:00") == true)
            let september = try #require(try await listed("2018-09-01"))
            #expect(september["progress"]?.double == 0, "the measure created that day counts, and its progress is 0")
            #expect(september["measures"]?.array.map { $0["id"]!.string! } == [measure.id.text])
            // The change of 2018-08-01 at noon is not yet made at the end of 2018-07-31.
            #expect(try await listed("2018-07-31")?["progress"]?.double == 20)
            #expect(try await listed("2018-08-01")?["progress"]?.double == 60)
            // Before its first recorded state the item was not on the list yet.
            #expect(try await listed("2017-12-31") == nil)

            // Written from the command line: no member, no admin, and `id` says so with null.
            let history = try await api.get("/v1/implementation-items/\(item)/history", token: e.scenario.observer)
            #expect(history.body["items"]?[0]?["by"] == .object(["kind": .string("command_line"), "id": .null]))
            #expect(history.body["items"]?.array.map { $0["action"]!.string! } == ["create", "update", "update", "create"])
            #expect(history.body["items"]?[1]?["changed"]?.array.compactMap(\.string) == ["progress"])

            // What was overdue then: the milestone of 2018-05-31, 30 days late on 2018-06-30.
            let overdue = try await api.get("/v1/workshops/\(e.scenario.workshop)/implementation-list?overdue=true&as_of=2018-06-30",
                                            token: e.scenario.observer)
            #expect(overdue.status == .ok, "\(overdue.text)")
            #expect(overdue.body["entries"]?.array.map { $0["days_late"]!.int! } == [30])
            #expect(try await api.get("/v1/workshops/\(e.scenario.workshop)/implementation-list?as_of=2018-02-30",
                                      token: e.scenario.observer).status == .unprocessableContent)

            // The progress report of 2018, in every format.
            let base = "/v1/workshops/\(e.scenario.workshop)/implementation-list?from=2018-01-01&to=2018-12-31&lang=de"
            let html = try await api.get("\(base)&format=html", token: e.scenario.observer)
            #expect(html.status == .ok, "\(html.text)")
            #expect(try ResultsTests.isWellFormed(html.text))
            #expect(html.text.contains("Fortschrittsbericht"))
            #expect(html.text.contains("<polyline"))
            #expect(html.text.contains("href=\"#lineage-\(item)\""))
            #expect(html.text.contains("id=\"lineage-\(item)\""))
            let markdown = try await api.get("\(base)&format=md", token: e.scenario.observer)
            #expect(markdown.status == .ok)
            #expect(markdown.text.contains("Überfällig"))
            let csv = try await api.get("\(base)&format=csv", token: e.scenario.observer)
            #expect(csv.status == .ok)
            let row = try #require(csv.text.split(separator: "\r\n").first { $0.contains(",A,") })
            // Status then (before 2018: not recorded) and now (the measure's, planned); progress
            // then and now; four changes in 2018 (first state, two reports, the measure); one overdue.
            #expect(row == ",A,Empfehlung A,noch nicht erfasst,geplant,,0,4,1", "\(row)")
            #expect(try await api.get("\(base)&format=json", token: e.scenario.observer).status == .unprocessableContent)
        }
    }

    @Test("re-ranking changes the order but loses no measure, milestone or history")
    func reRanking() async throws {
        try await TestAPI.run { api in
            let (e, first) = try await ResultsTests.decided(api)
            let b = try await Self.item(api, e, "B")
            let top = try await Self.measure(api, e, item: b, ["title": "Förderantrag",
                                                                "milestones": [["title": "Antrag gestellt", "due": "2030-01-31"]]])
            _ = try await Self.measure(api, e, item: b, ["title": "Gutachten", "parent_id": top, "progress": 30, "status": "in_progress"])
            func snapshot() async throws -> (order: [String], b: JSON, history: Int) {
                let list = try await ResultsTests.list(api, e)
                let item = try #require(list["items"]!.array.first { $0["id"]?.string == b })
                let history = try await api.get("/v1/implementation-items/\(b)/history?limit=500", token: e.scenario.observer)
                return (list["items"]!.array.map { $0["code"]!.string! }, item, history.body["items"]!.array.count)
            }
            let before = try await snapshot()
            #expect(before.order == ["A", "C", "B"])

            let second = try await e.round(api, ["method": "approval"])
            try await e.vote(api, in: second, group: "industry", ["approve": ["B"]])
            _ = try await api.post("/v1/rounds/\(second)/close", token: e.scenario.moderator, "{}")
            _ = try await e.ranking(api, of: second)
            let after = try await snapshot()
            #expect(after.order.first == "B")
            #expect(after.order != before.order)
            #expect(after.b["measures"] == before.b["measures"])
            #expect(after.b["progress"]?.double == 30)
            #expect(after.history == before.history)

            // The lineage names both rounds with rank, interval and digest.
            let lineage = try await api.get("/v1/implementation-items/\(b)/lineage", token: e.scenario.observer)
            #expect(lineage.status == .ok, "\(lineage.text)")
            #expect(lineage.body["recommendation"]?["code"]?.string == "B")
            let rounds = lineage.body["rounds"]!.array
            #expect(rounds.map { $0["round_id"]!.string! } .sorted() == [first, second].sorted())
            #expect(rounds.allSatisfy { $0["digest"]?.string != nil && $0["rank"]?.int != nil && $0["rank_interval"]?.array.count == 2 })
            #expect(lineage.body["item"]?["measures"]?.array.count == 1)
        }
    }

    @Test("the history's state columns (sql/013) hold what its jsonb states hold, row by row")
    func historyColumnsAgreeWithStates() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let item = try await Self.item(api, e, "A")
            let itemPath = "/v1/implementation-items/\(item)"
            let mod = e.scenario.moderator
            let top = try await Self.measure(api, e, item: item, [
                "title": "Oben \"quoted\" / ü", "lead": ["Amt", "Verband, e. V."], "weight": 2.5,
                "timeframe": ["kind": "range", "year": 2017, "to_year": 2019], "review_due": "2018-03-31",
                "milestones": [["title": "Konzept", "due": "2018-01-31", "done": "2018-02-01"], ["title": "Bau", "due": "2018-06-30"]]])
            let below = try await Self.measure(api, e, item: item, ["title": "Unten", "parent_id": top, "progress": 40,
                                                                    "status": "in_progress", "weight": 0.1])
            _ = try await Self.measure(api, e, item: item, ["title": "Daneben", "timeframe": ["kind": "ongoing"]])
            var reply = try await api.request(.patch, "\(itemPath)/measures/\(below)", token: mod,
                                              json: #"{"weight":null,"status":"done","progress":100,"milestones":[]}"#)
            #expect(reply.status == .ok, "\(reply.text)")
            reply = try await api.request(.patch, itemPath, token: mod, json: """
                {"lead":["Stadt"],"timeframe":{"kind":"by","year":2018},"review_due":"2018-12-31","status":"in_progress",
                 "milestones":[{"title":"Start","due":"2017-06-30","done":"2017-07-01"}],"note":"Auftakt"}
                """)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(try await api.request(.delete, "\(itemPath)/measures/\(top)", token: mod).status == .noContent)

            let itemId = try #require(UUID(uuidString: item))
            let rows = try await api.database.query("""
                SELECT state::text AS state, kind, entity_id, at, parent_id, title, lead, timeframe_kind, timeframe_year,
                       timeframe_to_year, status, status_explicit, progress, weight, review_due, milestone_titles,
                       milestone_dues, milestone_dones, archived
                  FROM implementation_history WHERE item_id = \(itemId) ORDER BY at, id
                """, logger: TestDatabase.logger)
            var kinds: Set<String> = []
            var count = 0
            var points: [HistoryPoint] = []
            for try await row in rows {
                let r = row.makeRandomAccess()
                let recorded = try JSONDecoder.rfc3339().decode(RecordedState.self, from: Data(try r.get("state", as: String.self).utf8))
                let columns = try r.recordedState(milestones: try r.milestones(), archived: try r.get("archived"))
                #expect(columns == recorded)
                points.append(HistoryPoint(
                    kind: try HistoryKind(decoding: try r.get("kind")), entityId: try r.get("entity_id"), at: try r.get("at"),
                    state: RecordedState(parentId: recorded.parentId, status: recorded.status, statusExplicit: recorded.statusExplicit,
                                         progress: recorded.progress, weight: recorded.weight, archived: recorded.archived)))
                kinds.insert(recorded.archived ? "archived" : recorded.parentId != nil ? "below" : recorded.title == nil ? "item" : "top")
                if !recorded.milestones.isEmpty { kinds.insert("milestones") }
                if recorded.timeframe != nil { kinds.insert("timeframe") }
                if recorded.weight != nil { kinds.insert("weight") }
                count += 1
            }
            #expect(count >= 8)
            #expect(kinds == ["archived", "below", "item", "top", "milestones", "timeframe", "weight"])

            // The replay's read (one row of arrays per item) gives the same points in the
            // same order: every row inside the period, or each entity's latest before it.
            let repository = PostgresImplementationRepository(client: api.database, logger: TestDatabase.logger)
            let workshop = try #require(UUID(uuidString: e.scenario.workshop))
            let all = try await repository.points(of: workshop, from: .distantPast, to: .distantFuture)
            #expect(all[itemId] == points)
            let latest = points.indices.filter { i in !points[(i + 1)...].contains { $0.entityId == points[i].entityId } }
                .map { points[$0] }
            let before = try await repository.points(of: workshop, from: .distantFuture, to: .distantFuture)
            #expect(before[itemId] == latest)
            #expect(latest.count == 4 && points.count > latest.count)   // the item and its three measures
        }
    }
}
