import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WerkstattAPI
import WerkstattStore

@Suite("HTTP contract: errors, limits, pagination, text")
struct ContractTests {
    @Test("401 without a token or with a bad one, as problem+json")
    func unauthorized() async throws {
        try await TestAPI.run { api in
            for token in [nil, "not-a-token", ""] as [String?] {
                let reply = try await api.get("/v1/workshops", token: token)
                #expect(reply.status == .unauthorized)
                #expect(reply.headers[.contentType] == "application/problem+json")
                #expect(reply.body["status"]?.int == 401)
                #expect(reply.body["type"]?.string?.hasPrefix("https://") == true)
            }
        }
    }

    @Test("ids of another workshop are 404 everywhere, and so are ids that are not UUIDs")
    func foreignIdsAreNotFound() async throws {
        try await TestAPI.run { api in
            let mine = try await Scenario.make(api)
            let theirs = try await Scenario.make(api, slug: "muelheim")
            let thesis = try await api.post("/v1/workshops/\(theirs.workshop)/theses", token: theirs.participant, #"{"title":"t","body":"b"}"#)
            let comment = try await api.post("/v1/theses/\(thesis.id)/comments", token: theirs.participant, #"{"body":"c"}"#)
            let recommendation = try await api.post("/v1/workshops/\(theirs.workshop)/recommendations", token: theirs.moderator,
                                                    #"{"code":"N","title":"t","body":"b"}"#)
            let w = theirs.workshop
            let reads = ["/v1/workshops/\(w)", "/v1/workshops/\(w)/theses", "/v1/workshops/\(w)/events",
                         "/v1/workshops/\(w)/working-groups", "/v1/workshops/\(w)/recommendations",
                         "/v1/theses/\(thesis.id)", "/v1/theses/\(thesis.id)/comments",
                         "/v1/recommendations/\(recommendation.id)", "/v1/recommendations/\(recommendation.id)/comments",
                         "/v1/workshops/\(UUID().uuidString)", "/v1/theses/not-a-uuid"]
            for path in reads {
                #expect(try await api.get(path, token: mine.moderator).status == .notFound, "\(path)")
            }
            let writes: [(String, String)] = [
                ("/v1/workshops/\(w)/phase", #"{"phase":"discussing"}"#),
                ("/v1/workshops/\(w)/members", #"{"display_name":"x","role":"moderator"}"#),
                ("/v1/workshops/\(w)/theses", #"{"title":"t","body":"b"}"#),
                ("/v1/theses/\(thesis.id)/comments", #"{"body":"x"}"#),
                ("/v1/comments/\(comment.id)/hide", #"{"reason":"x"}"#),
            ]
            for (path, body) in writes {
                #expect(try await api.post(path, token: mine.moderator, body).status == .notFound, "\(path)")
            }
            #expect(try await api.put("/v1/theses/\(thesis.id)/stance", token: mine.participant, #"{"stance":"agree"}"#).status == .notFound)
        }
    }

    @Test("415 for a body that is not JSON, 413 above 1 MiB, 422 for broken JSON")
    func bodyRules() async throws {
        try await TestAPI.run { api in
            let wrongType = try await api.request(.post, "/v1/workshops", token: api.admin,
                                                  json: #"{"slug":"a","title":"b"}"#, contentType: "text/plain")
            #expect(wrongType.status == .unsupportedMediaType)
            let noType = try await api.request(.post, "/v1/workshops", token: api.admin,
                                               body: ByteBuffer(string: #"{"slug":"a","title":"b"}"#))
            #expect(noType.status == .unsupportedMediaType)

            let huge = TestAPI.json(["slug": "huge", "title": "t", "description": String(repeating: "ä", count: 600_000)])
            let tooLarge = try await api.post("/v1/workshops", token: api.admin, huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.headers[.contentType] == "application/problem+json")

            for broken in ["{", "[]", "null", #"{"slug":1,"title":"t"}"#, "\u{FEFF}{}", #"{"slug":"a","title":"t","starts_on":17}"#] {
                let reply = try await api.post("/v1/workshops", token: api.admin, broken)
                #expect(reply.status == .unprocessableContent, "\(broken)")
                #expect(reply.body["errors"]?.array.isEmpty == false)
            }
            let invalidUTF8 = try await api.request(.post, "/v1/workshops", token: api.admin, json: nil,
                body: ByteBuffer(bytes: Array(#"{"slug":"a","title":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)))
            #expect(invalidUTF8.status == .unsupportedMediaType || invalidUTF8.status == .unprocessableContent)
            // Nothing of the refused requests was stored.
            #expect(try await api.get("/v1/workshops", token: api.admin).body["items"]?.array.isEmpty == true)
        }
    }

    @Test("pagination walks every item exactly once; bad limits and cursors are 422")
    func pagination() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            var created: [String] = []
            for i in 0..<7 {
                created.append(try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant,
                                                  #"{"title":"These \#(i)","body":"b"}"#).id)
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = cursor.map { "&cursor=\($0)" } ?? ""
                let page = try await api.get("/v1/workshops/\(s.workshop)/theses?limit=3\(query)", token: s.observer)
                #expect(page.status == .ok)
                seen += page.body["items"]!.array.map { $0["id"]!.string! }
                cursor = page.body["next_cursor"]?.string
                #expect(page.body.keys.contains("next_cursor"))
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == created)
            for query in ["limit=0", "limit=501", "limit=abc", "cursor=%%%", "cursor=bm9wZQ"] {
                #expect(try await api.get("/v1/workshops/\(s.workshop)/theses?\(query)", token: s.observer).status == .unprocessableContent, "\(query)")
            }
            // Thread order pages too.
            let thesis = created[0]
            var comments: [String] = []
            for i in 0..<5 {
                comments.append(try await api.post("/v1/theses/\(thesis)/comments", token: s.participant,
                    TestAPI.json(["body": "c\(i)", "parent_id": i == 0 ? NSNull() : comments[0] as Any])).id)
            }
            let first = try await api.get("/v1/theses/\(thesis)/comments?limit=2", token: s.observer)
            let second = try await api.get("/v1/theses/\(thesis)/comments?limit=10&cursor=\(first.body["next_cursor"]!.string!)", token: s.observer)
            #expect((first.body["items"]!.array + second.body["items"]!.array).map { $0["id"]!.string! } == comments)
            #expect(second.body["next_cursor"] == .null)
        }
    }

    @Test("umlauts, emoji, right-to-left text and hostile strings round-trip verbatim")
    func textRoundTrips() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let texts = [
                "Größere Übergänge für Fachkräfte – „Industrie 4.0“ ß",
                "Kreislaufwirtschaft 🏭♻️👩🏽‍🔧",
                "שלום עולם — مرحبا بالعالم",
                "'); DROP TABLE theses; --",
                "<script>alert('x')</script> & \"quotes\" \\ backslash \u{0007}",
            ]
            for text in texts {
                let created = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant,
                                                  TestAPI.json(["title": text, "body": text]))
                #expect(created.status == .created)
                let read = try await api.get("/v1/theses/\(created.id)", token: s.observer)
                #expect(read.body["title"]?.string == text)
                #expect(read.body["body"]?.string == text)
                let comment = try await api.post("/v1/theses/\(created.id)/comments", token: s.participant,
                                                 TestAPI.json(["body": text]))
                #expect(comment.body["body"]?.string == text)
            }
            #expect(try await api.get("/v1/workshops/\(s.workshop)/theses", token: s.observer).body["items"]?.array.count == texts.count)
        }
    }

    @Test("health, readiness, metrics and the OpenAPI document need no token")
    func operations() async throws {
        try await TestAPI.run { api in
            #expect(try await api.get("/health/live", token: nil).status == .ok)
            let ready = try await api.get("/health/ready", token: nil)
            #expect(ready.status == .ok)
            #expect(ready.body["status"]?.string == "ready")
            // /metrics is not on the API's listener (MetricsListenerTests).
            #expect(try await api.get("/metrics", token: nil).status == .notFound)
            let document = try await api.get("/openapi.yaml", token: nil)
            #expect(document.status == .ok)
            #expect(document.text.hasPrefix("openapi: 3.1"))
            #expect(try await api.get("/v1/nowhere", token: api.admin).status == .notFound)
        }
    }

    @Test("a token over its rate limit gets 429 with Retry-After; it refills at the rate; other tokens go on")
    func rateLimit() async throws {
        let clock = ManualClock()
        try await TestAPI.run(configuration: AppConfiguration(requestDeadline: .seconds(120), rateLimit: .init(rate: 1, burst: 3),
                                                              addressRateLimit: .init(rate: 10_000, burst: 10_000), clock: clock)) { api in
            func status() async throws -> Reply { try await api.get("/v1/workshops", token: api.admin) }
            // The burst: three at once, then 429 with the whole second to wait.
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await status().status.code) }
            #expect(statuses == [200, 200, 200])
            let limited = try await status()
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "1")
            #expect(limited.body["type"]?.string?.hasSuffix("rate-limited") == true)
            // Refused requests take nothing: after a quarter second, three quarters remain
            // to wait, rounded up to a whole second.
            clock.advance(by: .milliseconds(250))
            #expect(try await status().headers[.retryAfter] == "1")
            // One second after the burst one request is back, and only one.
            clock.advance(by: .milliseconds(750))
            #expect(try await status().status == .ok)
            #expect(try await status().status == .tooManyRequests)
            // A long pause refills the bucket to the burst, not beyond.
            clock.advance(by: .seconds(60))
            statuses = []
            for _ in 0..<4 { statuses.append(try await status().status.code) }
            #expect(statuses == [200, 200, 200, 429])
            // Another token has its own bucket.
            let other = try await PostgresTokenRepository(client: api.database, logger: TestDatabase.logger)
                .createAdminToken(label: "other")
            #expect(try await api.get("/v1/workshops", token: other).status == .ok)
        }
    }

    @Test("what the fuzzer found: NUL, impossible times, a zero budget, other methods")
    func fuzzerFindings() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let nul = try await api.post("/v1/organisations", token: api.admin, #"{"name":"a\u0000b","stakeholder_group":"other"}"#)
            #expect(nul.status == .unprocessableContent)
            #expect(nul.body["errors"]?[0]?["field"]?.string == "name")
            #expect(try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant,
                                       #"{"title":"t","body":"\u0000"}"#).status == .unprocessableContent)
            for time in ["2024-01-01T12:99:00Z", "2016-02-30T09:30:00Z", "2016-09-14T24:00:00Z",
                         "2016-09-14T09:30:00Zjunk", "2016-09-14T09:30:00+0200"] {
                let event = try await api.post("/v1/workshops/\(s.workshop)/events", token: s.moderator,
                                               TestAPI.json(["title": "e", "starts_at": time]))
                #expect(event.status == .unprocessableContent, "\(time)")
            }
            #expect(try await api.post("/v1/workshops/\(s.workshop)/events", token: s.moderator,
                                       #"{"title":"e","starts_at":"2016-09-14T09:30:00.123+02:00"}"#).status == .created)
            let zeroBudget = try await api.post("/v1/workshops/\(s.workshop)/rounds", token: s.moderator,
                                                #"{"title":"x","method":"dot","points_per_member":0,"max_points_per_item":3}"#)
            #expect(zeroBudget.status == .unprocessableContent)
            #expect(try await api.post("/v1/workshops", token: api.admin,
                                       #"{"slug":"null-jahr","title":"x","starts_on":"0000-01-01"}"#).body["errors"]?[0]?["field"]?.string == "starts_on")
            let wrongMethod = try await api.request(.delete, "/v1/workshops", token: api.admin)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "GET, POST")
            #expect(try await api.request(.head, "/health/live", token: nil).headers[.allow] == "GET")
            let thesis = try await api.post("/v1/workshops/\(s.workshop)/theses", token: s.participant, #"{"title":"t","body":"b"}"#)
            #expect(try await api.get("/v1/theses/\(thesis.id)/comments?cursor=djE6AA", token: s.observer).status == .unprocessableContent)
        }
    }
}
