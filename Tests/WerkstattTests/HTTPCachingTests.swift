import Foundation
import HTTPTypes
import Testing
import WerkstattAPI
import WerkstattRules
import WerkstattStore
import WerkstattWorker

/// Exports carry an entity tag of their body: asked again with it, the answer is 304
/// without a body until the export changes (a new snapshot).
@Suite("HTTP caching of exports")
struct HTTPCachingTests {
    @Test("a ranking answers 304 to its own ETag, private to members; a new snapshot gives a new tag; the public report is public")
    func entityTags() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "approval"])
            for group in ["industry", "industry", "science", "science", "union"] {
                try await e.vote(api, in: round, group: group, ["approve": ["A"]])
            }
            await AggregationWorker(client: api.database, logger: TestDatabase.logger).drain()
            let path = "/v1/rounds/\(round)/ranking"
            let first = try await api.get(path, token: e.scenario.moderator)
            let tag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl] == "private, no-cache")

            var headers: HTTPFields = [.authorization: "Bearer \(e.scenario.moderator)", .ifNoneMatch: tag]
            let again = try await api.client.execute(uri: path, method: .get, headers: headers, body: nil) { $0 }
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            #expect(again.headers[.eTag] == tag)
            // Another format is another body, hence another tag.
            let csv = try await api.get(path + "?format=csv", token: e.scenario.moderator)
            #expect(csv.status == .ok && csv.headers[.eTag] != tag)

            // A new published reading needs k = 5 changed ballots (the published-snapshot rule).
            for group in ["science", "science", "industry", "industry", "union"] {
                try await e.vote(api, in: round, group: group, ["approve": ["B"]])
            }
            await AggregationWorker(client: api.database, logger: TestDatabase.logger).drain()
            let changed = try await api.client.execute(uri: path, method: .get, headers: headers, body: nil) { $0 }
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] != tag)

            let open = try await api.request(.patch, "/v1/workshops/\(e.scenario.workshop)", token: e.scenario.moderator,
                                             json: #"{"public_report":true}"#)
            #expect(open.status == .ok)
            let report = try await api.get("/reports/wahl", token: nil)
            #expect(report.status == .ok && report.headers[.cacheControl] == "public, no-cache")
            headers = [.ifNoneMatch: "W/\(try #require(report.headers[.eTag]))"]
            let unchanged = try await api.client.execute(uri: "/reports/wahl", method: .get, headers: headers, body: nil) { $0 }
            #expect(unchanged.status == .notModified)
        }
    }

    /// A GET with `If-None-Match`.
    static func revalidate(_ api: TestAPI, _ path: String, token: String, tag: String) async throws -> HTTPResponse.Status {
        let headers: HTTPFields = [.authorization: "Bearer \(token)", .ifNoneMatch: tag]
        return try await api.client.execute(uri: path, method: .get, headers: headers, body: nil) { $0.status }
    }

    @Test("a snapshot's rendering has a weak tag of snapshot and format: 304 to it, the same bytes again, another per format, language and workshop version")
    func snapshotTags() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let moderator = e.scenario.moderator
            let round = try await e.round(api, ["method": "approval"])
            for group in ["industry", "industry", "science", "science", "union"] {
                try await e.vote(api, in: round, group: group, ["approve": ["A"]])
            }
            let worker = AggregationWorker(client: api.database, logger: TestDatabase.logger)
            await worker.drain()
            let path = "/v1/rounds/\(round)/ranking"
            let json = try await api.get(path, token: moderator)
            let tag = try #require(json.headers[.eTag])
            #expect(tag.hasPrefix("W/\""))
            let again = try await api.get(path, token: moderator)
            #expect(again.text == json.text && again.headers[.eTag] == tag)
            // Weak comparison: the tag without W/ names it too.
            #expect(try await Self.revalidate(api, path, token: moderator, tag: tag) == .notModified)
            #expect(try await Self.revalidate(api, path, token: moderator, tag: String(tag.dropFirst(2))) == .notModified)

            var tags: Set<String> = [tag]
            var bodies: Set<String> = [json.text]
            for query in ["?format=csv", "?format=csv&lang=de", "?format=csv&delimiter=semicolon", "?format=md", "?format=html"] {
                let reply = try await api.get(path + query, token: moderator)
                #expect(reply.status == .ok)
                tags.insert(try #require(reply.headers[.eTag]))
                bodies.insert(reply.text)
            }
            #expect(tags.count == 6 && bodies.count == 6)

            // Markdown and HTML show the workshop's facts: a changed workshop is another
            // rendering (a new tag, rendered again), whatever changed.
            let before = try await api.get(path + "?format=md", token: moderator)
            let changed = try await api.request(.patch, "/v1/workshops/\(e.scenario.workshop)", token: moderator,
                                                json: #"{"public_report":true}"#)
            #expect(changed.status == .ok)
            let after = try await api.get(path + "?format=md", token: moderator)
            #expect(after.status == .ok && after.headers[.eTag] != before.headers[.eTag])
            #expect(after.text == before.text)
            // A participant may not see the open round's standing: no snapshot's tag.
            let participant = try await api.get(path, token: e.scenario.participant)
            #expect(participant.body["withheld"]?.string == "until_close")
            #expect(participant.headers[.eTag].map { !$0.hasPrefix("W/") } == true)

            // The audit text: tagged by the final snapshot, 304 before the text is read.
            #expect(try await api.post("/v1/rounds/\(round)/close", token: moderator, "{}").status == .ok)
            await worker.drain()
            let audit = try await api.get("/v1/rounds/\(round)/audit", token: moderator)
            #expect(audit.status == .ok && audit.headers[.cacheControl] == "private, no-cache")
            let auditTag = try #require(audit.headers[.eTag])
            #expect(auditTag.hasPrefix("W/\"a"))
            #expect(try await Self.revalidate(api, "/v1/rounds/\(round)/audit", token: moderator, tag: auditTag) == .notModified)
            let final = try await api.get(path, token: moderator)
            #expect(final.headers[.eTag] != tag)
            #expect(final.body["digest"]?.string == audit.body["digest"]?.string)
        }
    }

    @Test("the body cache renders once per snapshot and representation, and stays within its budget")
    func renderedSnapshots() async {
        let cache = RenderedSnapshots(budget: 4_000)
        var renders = 0
        func document(_ body: String) -> ExportDocument {
            renders += 1
            return ExportDocument(contentType: "application/json", fileName: "ranking.json", body: body)
        }
        let version = Date(timeIntervalSince1970: 1_700_000_000)
        let json = SnapshotRendering(snapshot: SnapshotRef(id: 7, digest: "ab12"), format: ExportFormat(), workshopVersion: version)
        let first = await cache.document(for: json) { document("first") }
        let second = await cache.document(for: json) { document("second") }
        #expect(first.body == "first" && second.body == "first" && renders == 1)
        var csv = json
        csv.format = ExportFormat(kind: .csv)
        #expect(await cache.document(for: csv) { document("csv") }.body == "csv")
        var german = csv
        german.format.language = .de
        #expect(await cache.document(for: german) { document("csv de") }.body == "csv de")
        var newer = json
        newer.snapshot = SnapshotRef(id: 8, digest: "cd34")
        #expect(await cache.document(for: newer) { document("newer") }.body == "newer")
        #expect(renders == 4 && cache.count == 4)
        // 300-byte bodies: the least recently used go once the budget is reached.
        for id in Int64(100)..<Int64(140) {
            var key = json
            key.snapshot = SnapshotRef(id: id, digest: "ef")
            _ = await cache.document(for: key) { document(String(repeating: "x", count: 300)) }
        }
        #expect(cache.count < 4_000 / 300)
        let evicted = await cache.document(for: json) { document("again") }
        #expect(evicted.body == "again")
    }
}
