import Foundation
import HTTPTypes
import Testing
import WerkstattWorker

/// Every endpoint × every kind of caller, with the status each must get.
@Suite("Authorisation matrix")
struct AuthorizationMatrixTests {
    enum Who: String, CaseIterable {
        case nobody, badToken, observer, participant, foreignModerator, moderator, admin
    }

    /// One endpoint: how to call it (fresh path and body per call where a success changes
    /// state) and what each caller gets, in `Who.allCases` order after the two 401s.
    struct Endpoint {
        var method: HTTPRequest.Method
        var path: @Sendable () async throws -> String
        var body: @Sendable () -> String? = { nil }
        var contentType = "application/json"
        /// observer, participant, foreign moderator, moderator, admin
        var expected: [Int]
    }

    @Test("each endpoint answers each kind of caller as the contract says; nobody sees another's ballot")
    func matrix() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let s = e.scenario
            let foreign = try await Scenario.make(api, slug: "fremde-werkstatt")
            let w = s.workshop
            // Back one step to discuss, for the theses; then voting again.
            let back = try await api.post("/v1/workshops/\(w)/phase", token: s.moderator, #"{"phase":"discussing"}"#)
            try #require(back.status == .ok)
            let t = try await api.post("/v1/workshops/\(w)/theses", token: s.participant, #"{"title":"t","body":"b"}"#).id
            let otherAuthor = try await s.member(api, group: "union")
            let t2 = try await api.post("/v1/workshops/\(w)/theses", token: otherAuthor, #"{"title":"u","body":"b"}"#).id
            let c = try await api.post("/v1/theses/\(t)/comments", token: s.participant, #"{"body":"c"}"#).id
            _ = try await api.post("/v1/workshops/\(w)/phase", token: s.moderator, #"{"phase":"voting"}"#)
            let r = e.ids["A"]!
            let round = try await e.round(api, ["method": "approval"])
            let item = try await Self.list(api, w, s.moderator)["items"]![0]!["id"]!.string!
            // Measures on another item, so that the item above keeps its own progress.
            let measured = try await Self.list(api, w, s.moderator)["items"]![1]!["id"]!.string!
            @Sendable func freshMeasure() async throws -> String {
                try await api.post("/v1/implementation-items/\(measured)/measures", token: s.moderator, #"{"title":"m"}"#).id
            }
            let measure = try await freshMeasure()
            let counter = Counter()
            @Sendable func draftRound() async throws -> String {
                try await api.post("/v1/workshops/\(w)/rounds", token: s.moderator, #"{"title":"t","method":"approval"}"#).id
            }
            let ballot = TestAPI.json(["approve": [r]])
            // A closed round with its final count, for the audit text.
            let closed = try await draftRound()
            _ = try await api.post("/v1/rounds/\(closed)/open", token: s.moderator, "{}")
            _ = try await api.post("/v1/rounds/\(closed)/close", token: s.moderator, "{}")
            // A stance, so that the worker draws an opinion map (too thin for groups, but there).
            _ = try await api.put("/v1/theses/\(t2)/stance", token: s.participant, #"{"stance":"agree"}"#)
            await AggregationWorker(client: api.database, logger: TestDatabase.logger).drain()
            let organisation = try await api.post("/v1/organisations", token: api.admin, #"{"name":"IG Metall","stakeholder_group":"union"}"#).id

            let endpoints: [(String, Endpoint)] = [
                ("list workshops", .init(method: .get, path: { "/v1/workshops" }, expected: [200, 200, 200, 200, 200])),
                ("create workshop", .init(method: .post, path: { "/v1/workshops" },
                    body: { #"{"slug":"neu-\#(counter.next())","title":"t"}"# }, expected: [403, 403, 403, 403, 201])),
                ("read workshop", .init(method: .get, path: { "/v1/workshops/\(w)" }, expected: [200, 200, 404, 200, 200])),
                ("change workshop settings", .init(method: .patch, path: { "/v1/workshops/\(w)" },
                    body: { #"{"min_group_size":5}"# }, expected: [403, 403, 404, 200, 200])),
                ("change organisation", .init(method: .patch, path: { "/v1/organisations/\(organisation)" },
                    body: { #"{"region":"Sachsen"}"# }, expected: [403, 403, 403, 403, 200])),
                ("change member", .init(method: .patch, path: { "/v1/members/\(s.participantId)" },
                    body: { #"{"display_name":"Betriebsrätin"}"# }, expected: [403, 403, 404, 200, 200])),
                ("move phase", .init(method: .post, path: { "/v1/workshops/\(w)/phase" },
                    body: { #"{"phase":"voting"}"# }, expected: [403, 403, 404, 200, 200])),
                ("create organisation", .init(method: .post, path: { "/v1/organisations" },
                    body: { #"{"name":"o","stakeholder_group":"union"}"# }, expected: [403, 403, 403, 403, 201])),
                ("list organisations", .init(method: .get, path: { "/v1/organisations" }, expected: [200, 200, 200, 200, 200])),
                ("add member", .init(method: .post, path: { "/v1/workshops/\(w)/members" },
                    body: { #"{"display_name":"m","role":"participant"}"# }, expected: [403, 403, 404, 201, 201])),
                ("list members", .init(method: .get, path: { "/v1/workshops/\(w)/members" }, expected: [403, 403, 404, 200, 200])),
                ("import members", .init(method: .post, path: { "/v1/workshops/\(w)/members:import" },
                    body: { "display_name,role,organisation,stakeholder_group\nImport \(counter.next()),participant,,union\n" },
                    contentType: "text/csv", expected: [403, 403, 404, 201, 201])),
                ("rotate a member's token", .init(method: .post, path: {
                    "/v1/members/\(try await s.memberId(api, group: "union"))/token:rotate"
                }, body: { "{}" }, expected: [403, 403, 404, 200, 200])),
                ("revoke a member's token", .init(method: .delete, path: {
                    "/v1/members/\(try await s.memberId(api, group: "union"))/token"
                }, expected: [403, 403, 404, 204, 204])),
                ("add working group", .init(method: .post, path: { "/v1/workshops/\(w)/working-groups" },
                    body: { #"{"code":"AK \#(counter.next())","title":"t"}"# }, expected: [403, 403, 404, 201, 201])),
                ("list working groups", .init(method: .get, path: { "/v1/workshops/\(w)/working-groups" }, expected: [200, 200, 404, 200, 200])),
                ("add event", .init(method: .post, path: { "/v1/workshops/\(w)/events" },
                    body: { #"{"title":"e","starts_at":"2017-03-01T09:00:00Z"}"# }, expected: [403, 403, 404, 201, 201])),
                ("list events", .init(method: .get, path: { "/v1/workshops/\(w)/events" }, expected: [200, 200, 404, 200, 200])),
                // No new theses while voting: role first (403), then phase (409).
                ("bring in thesis", .init(method: .post, path: { "/v1/workshops/\(w)/theses" },
                    body: { #"{"title":"t","body":"b"}"# }, expected: [403, 409, 404, 409, 403])),
                ("list theses", .init(method: .get, path: { "/v1/workshops/\(w)/theses" }, expected: [200, 200, 404, 200, 200])),
                ("read thesis", .init(method: .get, path: { "/v1/theses/\(t)" }, expected: [200, 200, 404, 200, 200])),
                ("take stance", .init(method: .put, path: { "/v1/theses/\(t)/stance" },
                    body: { #"{"stance":"agree"}"# }, expected: [403, 200, 404, 200, 403])),
                ("withdraw thesis", .init(method: .post, path: { "/v1/theses/\(t2)/withdraw" },
                    body: { #"{"reason":"r"}"# }, expected: [403, 403, 404, 200, 200])),
                ("comment on thesis", .init(method: .post, path: { "/v1/theses/\(t)/comments" },
                    body: { #"{"body":"c"}"# }, expected: [403, 201, 404, 201, 403])),
                ("list thesis comments", .init(method: .get, path: { "/v1/theses/\(t)/comments" }, expected: [200, 200, 404, 200, 200])),
                ("comment on recommendation", .init(method: .post, path: { "/v1/recommendations/\(r)/comments" },
                    body: { #"{"body":"c"}"# }, expected: [403, 201, 404, 201, 403])),
                ("list recommendation comments", .init(method: .get, path: { "/v1/recommendations/\(r)/comments" }, expected: [200, 200, 404, 200, 200])),
                ("hide comment", .init(method: .post, path: { "/v1/comments/\(c)/hide" },
                    body: { #"{"reason":"r"}"# }, expected: [403, 403, 404, 200, 200])),
                ("create recommendation", .init(method: .post, path: { "/v1/workshops/\(w)/recommendations" },
                    body: { #"{"code":"R\#(counter.next())","title":"t","body":""}"# }, expected: [403, 403, 404, 201, 201])),
                ("list recommendations", .init(method: .get, path: { "/v1/workshops/\(w)/recommendations" }, expected: [200, 200, 404, 200, 200])),
                ("read recommendation", .init(method: .get, path: { "/v1/recommendations/\(r)" }, expected: [200, 200, 404, 200, 200])),
                ("import recommendations", .init(method: .post, path: { "/v1/workshops/\(w)/recommendations:import" },
                    body: { "code,title\nI\(counter.next()),Import\n" }, contentType: "text/csv", expected: [403, 403, 404, 200, 200])),
                ("create round", .init(method: .post, path: { "/v1/workshops/\(w)/rounds" },
                    body: { #"{"title":"t","method":"dot"}"# }, expected: [403, 403, 404, 201, 201])),
                ("list rounds", .init(method: .get, path: { "/v1/workshops/\(w)/rounds" }, expected: [200, 200, 404, 200, 200])),
                ("read round", .init(method: .get, path: { "/v1/rounds/\(round)" }, expected: [200, 200, 404, 200, 200])),
                ("open round", .init(method: .post, path: { "/v1/rounds/\(try await draftRound())/open" },
                    body: { "{}" }, expected: [403, 403, 404, 200, 200])),
                ("close round", .init(method: .post, path: {
                    let id = try await draftRound()
                    _ = try await api.post("/v1/rounds/\(id)/open", token: s.moderator, "{}")
                    return "/v1/rounds/\(id)/close"
                }, body: { "{}" }, expected: [403, 403, 404, 200, 200])),
                ("cast ballot", .init(method: .put, path: { "/v1/rounds/\(round)/ballot" },
                    body: { ballot }, expected: [403, 200, 404, 200, 403])),
                ("read own ballot", .init(method: .get, path: { "/v1/rounds/\(round)/ballot" }, expected: [403, 200, 404, 200, 403])),
                ("withdraw ballot", .init(method: .delete, path: { "/v1/rounds/\(round)/ballot" }, expected: [403, 204, 404, 204, 403])),
                ("ranking", .init(method: .get, path: { "/v1/rounds/\(round)/ranking" }, expected: [200, 200, 404, 200, 200])),
                ("opinion map", .init(method: .get, path: { "/v1/workshops/\(w)/opinion-map" }, expected: [200, 200, 404, 200, 200])),
                // The audit text: the round's auditors, not its voters.
                ("audit", .init(method: .get, path: { "/v1/rounds/\(closed)/audit" }, expected: [200, 403, 404, 200, 200])),
                ("implementation list", .init(method: .get, path: { "/v1/workshops/\(w)/implementation-list" }, expected: [200, 200, 404, 200, 200])),
                ("update implementation item", .init(method: .patch, path: { "/v1/implementation-items/\(item)" },
                    body: { #"{"progress":10}"# }, expected: [403, 403, 404, 200, 200])),
                ("item history", .init(method: .get, path: { "/v1/implementation-items/\(item)/history" }, expected: [200, 200, 404, 200, 200])),
                ("item lineage", .init(method: .get, path: { "/v1/implementation-items/\(item)/lineage" }, expected: [200, 200, 404, 200, 200])),
                ("list measures", .init(method: .get, path: { "/v1/implementation-items/\(measured)/measures" }, expected: [200, 200, 404, 200, 200])),
                ("create measure", .init(method: .post, path: { "/v1/implementation-items/\(measured)/measures" },
                    body: { #"{"title":"Konzept"}"# }, expected: [403, 403, 404, 201, 201])),
                ("read measure", .init(method: .get, path: { "/v1/implementation-items/\(measured)/measures/\(measure)" },
                    expected: [200, 200, 404, 200, 200])),
                ("update measure", .init(method: .patch, path: { "/v1/implementation-items/\(measured)/measures/\(measure)" },
                    body: { #"{"progress":20}"# }, expected: [403, 403, 404, 200, 200])),
                ("move measure", .init(method: .post, path: { "/v1/implementation-items/\(measured)/measures/\(try await freshMeasure())/move" },
                    body: { #"{"parent_id":null}"# }, expected: [403, 403, 404, 200, 200])),
                ("archive measure", .init(method: .delete, path: { "/v1/implementation-items/\(measured)/measures/\(try await freshMeasure())" },
                    expected: [403, 403, 404, 204, 204])),
            ]
            let tokens: [Who: String?] = [
                .nobody: nil, .badToken: "not-a-token-of-ours", .observer: s.observer, .participant: s.participant,
                .foreignModerator: foreign.moderator, .moderator: s.moderator, .admin: api.admin,
            ]
            var covered = Set<String>()
            for (name, endpoint) in endpoints {
                for (index, who) in Who.allCases.enumerated() {
                    let path = try await endpoint.path()
                    covered.insert("\(endpoint.method.rawValue) \(Self.template(path))")
                    let expected = index < 2 ? 401 : endpoint.expected[index - 2]
                    let reply = try await api.request(endpoint.method, path, token: tokens[who]!, json: endpoint.body(),
                                                      contentType: endpoint.contentType)
                    #expect(reply.status.code == expected, "\(name) as \(who.rawValue): \(reply.text)")
                }
            }
            // Every /v1 route of the router is in the matrix.
            let routes = Set(try OpenAPITests.routerRoutes().filter { $0.contains(" /v1/") })
            #expect(routes.subtracting(covered).sorted() == [], "routes missing from the matrix")

            // The participant's ballot shows up nowhere but in their own GET.
            _ = try await api.put("/v1/rounds/\(round)/ballot", token: s.participant, ballot)
            for who in [Who.observer, .moderator, .admin] {
                for format in ["json", "csv", "md", "html"] {
                    for path in ["/v1/rounds/\(round)/ranking?format=\(format)", "/v1/workshops/\(w)/implementation-list?format=\(format)"] {
                        let text = try await api.get(path, token: tokens[who]!).text
                        #expect(!text.contains(s.participantId), "\(path) as \(who)")
                    }
                }
            }
            #expect(try await api.get("/v1/rounds/\(round)/ballot", token: s.moderator).status == .notFound)
        }
    }

    static func list(_ api: TestAPI, _ workshop: String, _ token: String) async throws -> JSON {
        try await api.get("/v1/workshops/\(workshop)/implementation-list", token: token).body
    }

    /// A concrete path with its ids replaced by the router's parameter names.
    static func template(_ path: String) -> String {
        let names = ["workshops": "workshop_id", "theses": "thesis_id", "recommendations": "recommendation_id",
                     "comments": "comment_id", "rounds": "round_id", "implementation-items": "item_id", "measures": "measure_id",
                     "members": "member_id", "organisations": "organisation_id"]
        let segments = path.split(separator: "?")[0].split(separator: "/").map(String.init)
        var result: [String] = []
        for (i, segment) in segments.enumerated() {
            if i > 0, let name = names[segments[i - 1]], UUID(uuidString: segment) != nil {
                result.append("{\(name)}")
            } else if segment.hasSuffix(":import") {
                result.append(segment)
            } else {
                result.append(segment)
            }
        }
        return "/" + result.joined(separator: "/")
    }
}

/// Unique numbers for bodies whose success must not collide with the previous one.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int { lock.withLock { value += 1; return value } }
}
