import Foundation
import PostgresNIO
import Testing
import WerkstattWorker

/// The opinion map through the API: drawn by the worker from stances, anonymous, and
/// under the workshop's k.
@Suite("Opinion map")
struct OpinionMapTests {
    /// A workshop with k = 3 and two opinion blocs that cut across the declared groups:
    /// industry and science each split half and half, and one union member (a group of one).
    struct Blocs {
        var scenario: Scenario
        var theses: [String]
        /// Per member: token, id, display name, bloc.
        var members: [(token: String, id: String, name: String, bloc: Int)]
    }

    static func blocs(_ api: TestAPI) async throws -> Blocs {
        let s = try await Scenario.make(api, phase: "collecting")
        let k = try await api.request(.patch, "/v1/workshops/\(s.workshop)", token: s.moderator, json: #"{"min_group_size":3}"#)
        try #require(k.status == .ok, "\(k.text)")
        var theses: [String] = []
        for n in 0..<8 {
            let thesis = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant,
                                            TestAPI.json(["title": "These \(n)", "body": "b"]))
            try #require(thesis.status == .created, "\(thesis.text)")
            theses.append(thesis.id)
        }
        var members: [(token: String, id: String, name: String, bloc: Int)] = []
        let groups = Array(repeating: "industry", count: 10) + Array(repeating: "science", count: 10) + ["union"]
        for (n, group) in groups.enumerated() {
            let name = "Geheimname-\(n)"
            let reply = try await api.post("/v1/workshops/\(s.workshop)/members", token: s.moderator,
                                           TestAPI.json(["display_name": name, "role": "participant", "stakeholder_group": group]))
            try #require(reply.status == .created, "\(reply.text)")
            members.append((reply.body["token"]!.string!, reply.id, name, n % 2))
        }
        for (index, member) in members.enumerated() {
            for (n, thesis) in theses.enumerated() {
                let reply = try await api.put("/v1/theses/\(thesis)/stance", token: member.token,
                                              TestAPI.json(["stance": stance(member: index, bloc: member.bloc, thesis: n)]))
                try #require(reply.status == .ok, "\(reply.text)")
            }
        }
        return Blocs(scenario: s, theses: theses, members: members)
    }

    /// Bloc 0 agrees with theses 0–3 and disagrees with 4–7, bloc 1 the other way round;
    /// member i departs from their bloc on thesis i mod 8, so no two members of a bloc sit
    /// on one point (and a fifth of them pass there instead).
    static func stance(member i: Int, bloc: Int, thesis n: Int) -> String {
        let agrees = (n < 4) == (bloc == 0)
        guard n == i % 8 else { return agrees ? "agree" : "disagree" }
        return i % 5 == 0 ? "pass" : (agrees ? "disagree" : "agree")
    }

    static func draw(_ api: TestAPI) async throws {
        let maps = OpinionMapComputation(client: api.database, logger: TestDatabase.logger)
        while try await maps.computeOne() != nil {}
    }

    static func mapCount(_ api: TestAPI) async throws -> Int64 {
        let rows = try await api.database.query("SELECT count(*) FROM opinion_maps", logger: TestDatabase.logger)
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }

    @Test("the worker draws the map from stances; it finds the blocs, names no one and keeps every cell at k or more")
    func blocsAnonymousAndUnderK() async throws {
        try await TestAPI.run { api in
            let b = try await Self.blocs(api)
            let w = b.scenario.workshop
            let early = try await api.get("/v1/workshops/\(w)/opinion-map", token: b.scenario.participant)
            #expect(early.status == .conflict, "\(early.text)")
            try await Self.draw(api)

            let reply = try await api.get("/v1/workshops/\(w)/opinion-map", token: b.scenario.participant)
            try #require(reply.status == .ok, "\(reply.text)")
            let map = reply.body
            #expect(map["sufficient"]?.bool == true)
            #expect(map["placed"]?.int == 21)
            #expect(map["min_group_size"]?.int == 3)
            #expect(map["components"]!.array.count == 2)
            let groups = map["groups"]!.array
            // Groups of at least k that cover everyone placed (that they recover planted blocs
            // is shown on larger data in WerkstattOpinionMapTests).
            #expect((2...6).contains(groups.count))
            #expect(groups.allSatisfy { $0["size"]!.int! >= 3 })
            #expect(groups.map { $0["size"]!.int! }.reduce(0, +) == 21)
            let points = map["points"]!.array
            #expect(points.count == 21)
            #expect(Set(points.map { $0["label"]!.string! }).count == 21)

            // Nobody is named: no member id, token or display name anywhere in any form.
            var texts = [reply.text]
            for query in ["format=csv", "format=csv&file=comments", "format=md", "format=html", "format=html&lang=de"] {
                let file = try await api.get("/v1/workshops/\(w)/opinion-map?\(query)", token: b.scenario.moderator)
                #expect(file.status == .ok, "\(query): \(file.text)")
                texts.append(file.text)
            }
            for text in texts {
                for member in b.members {
                    #expect(!text.contains(member.id) && !text.contains(member.name) && !text.contains(member.token))
                }
                #expect(!text.contains(b.scenario.participantId))
            }

            // The union member is a group of one: never a column of its own, and no cell,
            // row total or derived pool between 1 and k − 1.
            let cross = map["cross_table"]!
            let columns = cross["columns"]!.array.map { $0["key"]!.string! }
            #expect(!columns.contains("union"))
            #expect(cross["withheld_groups"]!.array.map { $0.string! }.contains("union"))
            for row in cross["rows"]!.array {
                let counts = row["counts"]!.array.map { $0.int! }
                for count in counts + [row["total"]!.int! - counts.reduce(0, +)] {
                    #expect(count == 0 || count >= 3, "\(cross)")
                }
            }

            // Pol.is's files: one row per placed participant, one per thesis.
            let participants = try await api.get("/v1/workshops/\(w)/opinion-map?format=csv", token: b.scenario.observer)
            let lines = participants.text.split(separator: "\r\n")
            #expect(lines.first?.hasSuffix("participant,group-id,n-comments,n-votes,n-agree,n-disagree") == true)
            #expect(lines.count == 22)
            let comments = try await api.get("/v1/workshops/\(w)/opinion-map?format=csv&file=comments", token: b.scenario.observer)
            let rows = comments.text.split(separator: "\r\n")
            #expect(rows.count == 9)
            let thesis0 = b.members.enumerated().map { Self.stance(member: $0.offset, bloc: $0.element.bloc, thesis: 0) }
            let agree0 = thesis0.filter { $0 == "agree" }.count, disagree0 = thesis0.filter { $0 == "disagree" }.count
            #expect(rows[1] == ",,0,,\(agree0),\(disagree0),1,These 0", "\(rows[1])")
            let html = try await api.get("/v1/workshops/\(w)/opinion-map?format=html&lang=de", token: b.scenario.observer)
            #expect(html.text.contains("<svg") && html.text.contains("Meinungslandkarte"))
            #expect(try ResultsTests.isWellFormed(html.text))

            let ignored = try await api.get("/v1/workshops/\(w)/opinion-map?format=json&file=comments", token: b.scenario.observer)
            #expect(ignored.status == .ok && ignored.body["groups"] != nil)
            let unknown = try await api.get("/v1/workshops/\(w)/opinion-map?format=csv&file=votes", token: b.scenario.observer)
            #expect(unknown.status == .unprocessableContent)
        }
    }

    @Test("a changed stance draws a new map with new labels; an unchanged input draws none")
    func recomputedOnChange() async throws {
        try await TestAPI.run { api in
            let b = try await Self.blocs(api)
            let w = b.scenario.workshop
            try await Self.draw(api)
            #expect(try await Self.mapCount(api) == 1)
            let first = try await api.get("/v1/workshops/\(w)/opinion-map", token: b.scenario.participant).body

            // The same stance again changes nothing a map is computed from.
            let member = b.members[1]
            let same = Self.stance(member: 1, bloc: member.bloc, thesis: 0)
            _ = try await api.put("/v1/theses/\(b.theses[0])/stance", token: member.token, TestAPI.json(["stance": same]))
            try await Self.draw(api)
            #expect(try await Self.mapCount(api) == 1)

            let other = same == "agree" ? "disagree" : "agree"
            _ = try await api.put("/v1/theses/\(b.theses[0])/stance", token: member.token, TestAPI.json(["stance": other]))
            try await Self.draw(api)
            #expect(try await Self.mapCount(api) == 2)
            let second = try await api.get("/v1/workshops/\(w)/opinion-map", token: b.scenario.participant).body
            #expect(second["snapshot_id"] != first["snapshot_id"])
            #expect(second["input_digest"] != first["input_digest"])
            let firstLabels = Set(first["points"]!.array.map { $0["label"]!.string! })
            let secondLabels = Set(second["points"]!.array.map { $0["label"]!.string! })
            #expect(firstLabels.isDisjoint(with: secondLabels))

            // A higher minimum of stances than anyone has leaves nobody placed.
            let change = try await api.request(.patch, "/v1/workshops/\(w)", token: b.scenario.moderator,
                                               json: #"{"opinion_min_stances":9}"#)
            #expect(change.status == .ok && change.body["opinion_min_stances"]?.int == 9, "\(change.text)")
            try await Self.draw(api)
            let thin = try await api.get("/v1/workshops/\(w)/opinion-map", token: b.scenario.participant).body
            #expect(thin["sufficient"]?.bool == false && thin["placed"]?.int == 0)
            #expect(thin["points"]!.array.isEmpty && thin["groups"]!.array.isEmpty)
            let wrong = try await api.request(.patch, "/v1/workshops/\(w)", token: b.scenario.moderator,
                                              json: #"{"opinion_min_stances":0}"#)
            #expect(wrong.status == .unprocessableContent)
        }
    }

    @Test("members of another workshop get 404; the public report shows the map")
    func accessAndPublicReport() async throws {
        try await TestAPI.run { api in
            let b = try await Self.blocs(api)
            let w = b.scenario.workshop
            try await Self.draw(api)
            let foreign = try await Scenario.make(api, slug: "andere-werkstatt")
            #expect(try await api.get("/v1/workshops/\(w)/opinion-map", token: foreign.moderator).status == .notFound)
            #expect(try await api.get("/v1/workshops/\(w)/opinion-map", token: nil).status == .unauthorized)

            let slug = "sachsen-2016"
            #expect(try await api.get("/reports/\(slug)", token: nil).status == .notFound)
            _ = try await api.request(.patch, "/v1/workshops/\(w)", token: b.scenario.moderator, json: #"{"public_report":true}"#)
            let report = try await api.get("/reports/\(slug)?lang=de", token: nil)
            #expect(report.status == .ok)
            #expect(report.text.contains("id=\"opinion-map\"") && report.text.contains("Meinungsgruppe A"))
            for member in b.members { #expect(!report.text.contains(member.name)) }
            #expect(try ResultsTests.isWellFormed(report.text))
        }
    }
}
