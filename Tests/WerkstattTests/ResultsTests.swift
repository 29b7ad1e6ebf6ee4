import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PostgresNIO
import Testing
import WerkstattDomain
import WerkstattWorker

@Suite("Implementation list, exports and import")
struct ResultsTests {
    /// An election with a closed dot round: A 8 points, C 5, B 2.
    static func decided(_ api: TestAPI) async throws -> (Election, String) {
        let e = try await Election.make(api)
        let round = try await e.round(api, ["method": "dot", "criterion": "Dringlichkeit"])
        try await e.vote(api, in: round, group: "industry", ["points": ["A": 3, "B": 2]])
        try await e.vote(api, in: round, group: "industry", ["points": ["A": 5]])
        try await e.vote(api, in: round, group: "union", ["points": ["C": 5]])
        _ = try await api.post("/v1/rounds/\(round)/close", token: e.scenario.moderator, "{}")
        _ = try await e.ranking(api, of: round)
        return (e, round)
    }

    static func list(_ api: TestAPI, _ e: Election) async throws -> JSON {
        let reply = try await api.get("/v1/workshops/\(e.scenario.workshop)/implementation-list", token: e.scenario.observer)
        try #require(reply.status == .ok, "\(reply.text)")
        return reply.body
    }

    @Test("the list follows the decisive round; re-ranking reorders it and keeps status, progress and notes")
    func implementationList() async throws {
        try await TestAPI.run { api in
            let (e, first) = try await Self.decided(api)
            var list = try await Self.list(api, e)
            #expect(list["round_id"]?.string == first)
            #expect(list["provisional"]?.bool == false)
            #expect(list["items"]!.array.map { $0["code"]!.string! } == ["A", "C", "B"])
            #expect(list["items"]!.array.map { $0["position"]!.int! } == [1, 2, 3])
            #expect(list["items"]?[0]?["priority_rank"]?.int == 1)
            #expect(list["items"]?[0]?["status"]?.string == "planned")

            let b = list["items"]!.array.first { $0["code"]?.string == "B" }!["id"]!.string!
            let path = "/v1/implementation-items/\(b)"
            #expect(try await api.request(.patch, path, token: e.scenario.participant, json: #"{"progress":10}"#).status == .forbidden)
            #expect(try await api.request(.patch, path, token: e.scenario.moderator, json: #"{}"#).status == .unprocessableContent)
            #expect(try await api.request(.patch, path, token: e.scenario.moderator, json: #"{"progress":101}"#).status == .unprocessableContent)
            let changed = try await api.request(.patch, path, token: e.scenario.moderator, json: TestAPI.json([
                "status": "in_progress", "progress": 40, "note": "Förderantrag gestellt",
                "lead": ["Stadt Mülheim an der Ruhr", "IHK"], "timeframe": ["kind": "from", "year": 2018],
            ]))
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.body["timeframe_text_de"]?.string == "ab 2018")
            _ = try await api.request(.patch, path, token: e.scenario.moderator, json: #"{"note":"Zweite Sitzung"}"#)

            // A later round, closed, in which B wins: the list follows it.
            let second = try await e.round(api, ["method": "approval"])
            try await e.vote(api, in: second, group: "industry", ["approve": ["B"]])
            list = try await Self.list(api, e)
            #expect(list["round_id"]?.string == first, "an open round does not outrank a closed one")
            _ = try await api.post("/v1/rounds/\(second)/close", token: e.scenario.moderator, "{}")
            _ = try await e.ranking(api, of: second)
            list = try await Self.list(api, e)
            #expect(list["round_id"]?.string == second)
            let top = try #require(list["items"]?[0])
            #expect(top["code"]?.string == "B")
            #expect(top["status"]?.string == "in_progress")
            #expect(top["progress"]?.int == 40)
            #expect(top["lead"]?.array.map(\.string) == ["Stadt Mülheim an der Ruhr", "IHK"])
            #expect(top["notes"]?.array.map { $0["note"]!.string! } == ["Förderantrag gestellt", "Zweite Sitzung"])

            let audit = try await api.database.query(
                "SELECT count(*) FROM audit_log WHERE action = 'implementation_item.update' AND actor_member_id IS NOT NULL",
                logger: TestDatabase.logger)
            for try await count in audit.decode(Int64.self) { #expect(count == 2) }
        }
    }

    @Test("while no round is closed, the open round's published standing orders the moderators' list; others keep code order")
    func provisionalList() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            try await e.minGroupSize(api, 2)
            var list = try await Self.list(api, e)
            #expect(list["round_id"] == .null)
            #expect(list["items"]!.array.map { $0["code"]!.string! } == ["A", "B", "C"])
            let round = try await e.round(api, ["method": "approval"])
            try await e.vote(api, in: round, group: "industry", ["approve": ["C"]])
            try await e.vote(api, in: round, group: "industry", ["approve": ["C", "B"]])
            await AggregationWorker(client: api.database, logger: TestDatabase.logger).drain()
            let moderators = try await api.get("/v1/workshops/\(e.scenario.workshop)/implementation-list", token: e.scenario.moderator).body
            #expect(moderators["provisional"]?.bool == true)
            #expect(moderators["items"]!.array.map { $0["code"]!.string! } == ["C", "B", "A"])
            // An observer may not see the open round's standing, so neither its order.
            list = try await Self.list(api, e)
            #expect(list["round_id"] == .null)
            #expect(list["items"]!.array.map { $0["code"]!.string! } == ["A", "B", "C"])
            #expect(list["items"]!.array.allSatisfy { $0["priority_rank"] == .null })
        }
    }

    @Test("CSV, Markdown and HTML agree with the JSON ranking; German labels; semicolons")
    func exportsAgree() async throws {
        try await TestAPI.run { api in
            let (e, round) = try await Self.decided(api)
            let json = try await api.get("/v1/rounds/\(round)/ranking", token: e.scenario.observer).body
            let csv = try await api.get("/v1/rounds/\(round)/ranking?format=csv", token: e.scenario.observer)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("\u{FEFF}Rank,Code,Title,Score"))
            #expect(csv.text.contains("\r\n"))
            let records = try CSV.parse(csv.text)
            #expect(records.count == 1 + json["items"]!.array.count)
            for (record, item) in zip(records.dropFirst(), json["items"]!.array) {
                #expect(Int(record.fields[0]) == item["rank"]?.int)
                #expect(record.fields[1] == item["code"]?.string)
                #expect(record.fields[2] == item["title"]?.string)
                #expect(Double(record.fields[3]) == item["score"]?.double)
                #expect(Int(record.fields[4]) == item["supporters"]?.int)
            }
            let german = try await api.get("/v1/rounds/\(round)/ranking?format=csv&lang=de&delimiter=semicolon", token: e.scenario.observer)
            let germanRecords = try CSV.parse(german.text)
            #expect(germanRecords[0].fields.prefix(4) == ["Rang", "Kürzel", "Titel", "Wert"])
            #expect(germanRecords.count == records.count)
            #expect(german.text.contains(";"))

            let markdown = try await api.get("/v1/rounds/\(round)/ranking?format=md&lang=de", token: e.scenario.observer)
            #expect(markdown.text.contains("| Rang | Kürzel | Titel |"))
            #expect(markdown.text.contains("| 1 | A | Empfehlung A | 8 |"))

            let html = try await api.get("/v1/rounds/\(round)/ranking?format=html&lang=de", token: e.scenario.observer)
            #expect(html.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(html.text.contains("<svg"))
            #expect(html.text.contains("Rangfolge"))
            #expect(try Self.isWellFormed(html.text))

            #expect(try await api.get("/v1/rounds/\(round)/ranking?format=pdf", token: e.scenario.observer).status == .unprocessableContent)
            #expect(try await api.get("/v1/rounds/\(round)/ranking?lang=fr", token: e.scenario.observer).status == .unprocessableContent)

            let list = try await api.get("/v1/workshops/\(e.scenario.workshop)/implementation-list?format=csv&lang=de&delimiter=semicolon",
                                         token: e.scenario.observer)
            let listRecords = try CSV.parse(list.text)
            #expect(listRecords[0].fields.prefix(3) == ["Position", "Kürzel", "Titel"])
            #expect(listRecords.dropFirst().map { $0.fields[1] } == ["A", "C", "B"])
        }
    }

    @Test("the HTML report escapes every user text and shows no ballot")
    func htmlEscapes() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api, phase: "voting")
            let hostile = "<script>alert('x')</script> & \"Anführung\""
            _ = try await api.post("/v1/workshops/\(s.workshop)/recommendations", token: s.moderator,
                                   TestAPI.json(["code": "X<1>", "title": hostile, "body": "", "lead": [hostile]]))
            let round = try await api.post("/v1/workshops/\(s.workshop)/rounds", token: s.moderator,
                                           TestAPI.json(["title": hostile, "method": "approval", "criterion": hostile]))
            _ = try await api.post("/v1/rounds/\(round.id)/open", token: s.moderator, "{}")
            let recommendation = round.body["recommendation_ids"]![0]!.string!
            _ = try await api.put("/v1/rounds/\(round.id)/ballot", token: s.participant, TestAPI.json(["approve": [recommendation]]))
            await AggregationWorker(client: api.database, logger: TestDatabase.logger).drain()
            for path in ["/v1/rounds/\(round.id)/ranking?format=html", "/v1/workshops/\(s.workshop)/implementation-list?format=html"] {
                let html = try await api.get(path, token: s.observer).text
                #expect(!html.contains("<script>"), "\(path)")
                #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Anführung&quot;"), "\(path)")
                #expect(!html.contains(s.participantId), "\(path)")
                #expect(try Self.isWellFormed(html), "\(path)")
            }
        }
    }

    static func isWellFormed(_ html: String) throws -> Bool {
        let parser = XMLParser(data: Data(html.utf8))
        return parser.parse()
    }

    @Test("import: all rows or none, every bad line named; re-import changes nothing; its own export reads back")
    func importRecommendations() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            for code in ["AK 1", "AK 3"] {
                _ = try await api.post("/v1/workshops/\(s.workshop)/working-groups", token: s.moderator,
                                       TestAPI.json(["code": code, "title": "Arbeitskreis"]))
            }
            let path = "/v1/workshops/\(s.workshop)/recommendations:import"
            let good = [
                "code,title,body,working_group,lead,timeframe",
                "AK1-04,Optimierung der Verkehrsinfrastruktur,,AK 1,Baudezernat/Amt für Verkehrswesen und Tiefbau,bis 2018",
                #"AK3-07,"Info-Plattform ""Transferstellen""","Zwei Zeilen,"#,
                #"mit Komma",AK 3,Mülheim & Business/HRW-Transferstelle,fortlaufend"#,
                "AK3-08,Industriekonferenz,,AK 3,Stadt,2017–2020",
            ].joined(separator: "\r\n") + "\r\n"
            func importing(_ csv: String, type: String = "text/csv") async throws -> Reply {
                try await api.request(.post, path, token: s.moderator, json: csv, contentType: type)
            }
            let bad = good.replacingOccurrences(of: "bis 2018", with: "irgendwann")
                .replacingOccurrences(of: "AK3-08,Industriekonferenz,,AK 3", with: "AK3-08,,,AK 9")
            let refused = try await importing(bad)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body["errors"]?.array.compactMap { $0["field"]?.string } == ["line 2", "line 5"])
            let unknownGroup = try await importing(good.replacingOccurrences(of: ",AK 3,Stadt", with: ",AK 9,Stadt"))
            #expect(unknownGroup.status == .unprocessableContent)
            #expect(unknownGroup.body["errors"]?[0]?["field"]?.string == "line 5")
            #expect(try await api.get("/v1/workshops/\(s.workshop)/recommendations", token: s.observer).body["items"]?.array.isEmpty == true)
            #expect(try await importing(good, type: "application/json").status == .unsupportedMediaType)
            #expect(try await api.request(.post, path, token: s.participant, json: good, contentType: "text/csv").status == .forbidden)

            let imported = try await importing(good)
            #expect(imported.status == .ok, "\(imported.text)")
            #expect(imported.body["created"]?.int == 3)
            let again = try await importing(good)
            #expect(again.body["created"]?.int == 0)
            #expect(again.body["updated"]?.int == 0)
            #expect(again.body["unchanged"]?.int == 3)

            let items = try await api.get("/v1/workshops/\(s.workshop)/recommendations", token: s.observer).body["items"]!.array
            let platform = items.first { $0["code"]?.string == "AK3-07" }!
            #expect(platform["title"]?.string == "Info-Plattform \"Transferstellen\"")
            #expect(platform["body"]?.string == "Zwei Zeilen,\r\nmit Komma")
            #expect(platform["lead"]?.array.map(\.string) == ["Mülheim & Business", "HRW-Transferstelle"])
            #expect(items.first { $0["code"]?.string == "AK1-04" }?["timeframe_text"]?.string == "by 2018")
            #expect(items.first { $0["code"]?.string == "AK3-08" }?["timeframe"]?["to_year"]?.int == 2020)

            // The implementation list's own export, German and with semicolons, imports unchanged.
            for query in ["format=csv", "format=csv&lang=de&delimiter=semicolon"] {
                let export = try await api.get("/v1/workshops/\(s.workshop)/implementation-list?\(query)", token: s.observer)
                let roundTrip = try await importing(export.text)
                #expect(roundTrip.body["unchanged"]?.int == 3, "\(query): \(roundTrip.text)")
            }
        }
    }

    @Test("a public report is readable without a token; others are not found")
    func publicReport() async throws {
        try await TestAPI.run { api in
            let hidden = try await Scenario.make(api, slug: "intern")
            _ = hidden
            #expect(try await api.get("/reports/intern", token: nil).status == .notFound)
            #expect(try await api.post("/v1/workshops", token: api.admin,
                                       #"{"slug":"offen","title":"Offen","public_report":true}"#).body["public_report"]?.bool == true)
            let report = try await api.get("/reports/offen?lang=de", token: nil)
            #expect(report.status == .ok)
            #expect(report.text.contains("Umsetzungsliste"))
        }
    }
}
