import Foundation
import HTTPTypes
import Testing
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
}
