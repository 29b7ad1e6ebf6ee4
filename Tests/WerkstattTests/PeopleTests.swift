import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO
import Testing
@testable import WerkstattAPI
import WerkstattDomain
@testable import WerkstattReports
import WerkstattStore
import WerkstattWorker

/// People and access for a real process: bulk onboarding, the member list, the life of
/// tokens, and what the security review found.
@Suite("People and access")
struct PeopleTests {
    static func count(_ api: TestAPI, _ sql: String) async throws -> Int64 {
        let rows = try await api.database.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }

    func importing(_ api: TestAPI, _ s: Scenario, _ csv: String, query: String = "") async throws -> Reply {
        try await api.request(.post, "/v1/workshops/\(s.workshop)/members:import\(query)", token: s.moderator,
                              json: csv, contentType: "text/csv")
    }

    @Test("bulk import: all rows or none, every bad line named, duplicates refused, tokens once for a mail merge")
    func bulkImport() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            _ = try await api.post("/v1/organisations", token: api.admin, #"{"name":"IHK Nord Westfalen","stakeholder_group":"association"}"#)
            let good = """
                display_name,role,organisation,stakeholder_group,email
                Anna Berger,participant,ihk nord westfalen,,anna@example.org
                Bernd Curtius,moderator,,science,bernd@example.org
                "Cem Demir, IG Metall",participant,IG Metall Bezirk,union,cem@example.org

                """
            let before = try await Self.count(api, "SELECT count(*) FROM members")
            // IG Metall Bezirk does not exist: nothing is created.
            let unknown = try await importing(api, s, good)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.body["errors"]?.array.map { $0["field"]?.string } == ["line 4"])
            #expect(try await Self.count(api, "SELECT count(*) FROM members") == before)
            // Broken rows: each named with its reason, and still nothing created.
            let broken = good + "X,boss,,workers,not-an-address\n,participant,,,\nAnna 2,observer,,,ANNA@example.org\n"
            let refused = try await importing(api, s, broken, query: "?create_organisations=true")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body["errors"]?.array.map { $0["field"]?.string } == ["line 5", "line 6", "line 7"])
            #expect(refused.text.contains("role") && refused.text.contains("stakeholder_group") && refused.text.contains("email"))
            #expect(try await Self.count(api, "SELECT count(*) FROM members") == before)

            let created = try await importing(api, s, good, query: "?create_organisations=true")
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(created.headers[.cacheControl] == "no-store")
            let records = try CSV.parse(created.text)
            #expect(records[0].fields == ["display_name", "role", "organisation", "stakeholder_group", "email", "member_id", "token"])
            #expect(records.count == 4)
            #expect(records[1].fields[2] == "IHK Nord Westfalen" && records[1].fields[3] == "association")
            #expect(records[3].fields[0] == "Cem Demir, IG Metall" && records[3].fields[2] == "IG Metall Bezirk")
            // Each token works at once, for its own member.
            for record in records.dropFirst() {
                #expect(try await api.get("/v1/workshops/\(s.workshop)", token: record.fields[6]).status == .ok)
                #expect(record.fields[5] == record.fields[5].lowercased())
            }
            // The same addresses again (in any case): duplicates, reported, nobody created twice.
            let again = try await importing(api, s, good.replacingOccurrences(of: "anna@", with: "ANNA@"))
            #expect(again.status == .unprocessableContent)
            #expect(again.body["errors"]?.array.map { $0["field"]?.string } == ["line 2", "line 3", "line 4"])
            #expect(again.text.contains("duplicate"))
            #expect(try await Self.count(api, "SELECT count(*) FROM members") == before + 3)
            #expect(try await Self.count(api, "SELECT count(*) FROM organisations WHERE name = 'IG Metall Bezirk'") == 1)
            // JSON on request.
            let json = try await importing(api, s, "display_name,role,organisation,stakeholder_group\nDora,observer,,politics\n",
                                           query: "?format=json")
            #expect(json.status == .created)
            #expect(json.body["created"]?.int == 1)
            #expect(json.body["members"]?[0]?["token"]?.string?.isEmpty == false)
            #expect(try await api.request(.post, "/v1/workshops/\(s.workshop)/members:import", token: s.participant,
                                          json: good, contentType: "text/csv").status == .forbidden)
        }
    }

    @Test("the member list filters by group, organisation and role, and exports CSV")
    func memberList() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let csv = """
                display_name,role,organisation,stakeholder_group,email
                A,participant,Uni Leipzig,science,a@example.org
                B,participant,Uni Leipzig,science,
                C,observer,,union,
                D,participant,,union,d@example.org

                """
            #expect(try await importing(api, s, csv, query: "?create_organisations=true").status == .created)
            let path = "/v1/workshops/\(s.workshop)/members"
            func names(_ query: String) async throws -> [String] {
                try await api.get("\(path)?\(query)", token: s.moderator).body["items"]!.array.map { $0["display_name"]!.string! }
            }
            #expect(try await names("stakeholder_group=union") == ["C", "D"])
            #expect(try await names("stakeholder_group=union&role=participant") == ["D"])
            let organisation = try await api.get(path, token: s.moderator).body["items"]!.array
                .first { $0["display_name"]?.string == "A" }!["organisation_id"]!.string!
            #expect(try await names("organisation_id=\(organisation)") == ["A", "B"])
            #expect(try await api.get("\(path)?stakeholder_group=workers", token: s.moderator).status == .unprocessableContent)
            let exported = try await api.get("\(path)?format=csv&stakeholder_group=science&role=participant", token: s.moderator)
            let records = try CSV.parse(exported.text)
            #expect(records.map { $0.fields[0] } == ["display_name", "A", "B"])
            #expect(records[1].fields[4] == "a@example.org")
            #expect(!exported.text.contains("token"))
            #expect(try await api.get(path, token: s.participant).status == .forbidden)
        }
    }

    @Test("tokens: expiry says so, rotation and revocation by member id end the old token at once, and are audited")
    func tokenLifecycle() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let member = try await api.post("/v1/workshops/\(s.workshop)/members", token: s.moderator,
                                            #"{"display_name":"Ute","role":"participant","expires_at":"2099-01-01T00:00:00Z"}"#)
            #expect(member.body["expires_at"]?.string?.hasPrefix("2099-01-01") == true)
            let token = member.body["token"]!.string!
            #expect(try await api.get("/v1/workshops/\(s.workshop)", token: token).status == .ok)
            // Expired: 401 with a problem that says so.
            try await api.database.query("UPDATE members SET expires_at = now() - interval '1 day' WHERE id = \(UUID(uuidString: member.id)!)",
                                         logger: TestDatabase.logger)
            let expired = try await api.get("/v1/workshops/\(s.workshop)", token: token)
            #expect(expired.status == .unauthorized)
            #expect(expired.body["type"]?.string?.hasSuffix("token-expired") == true)
            #expect(expired.body["detail"]?.string?.contains("expired") == true)
            // Rotation: a new token, the old one dead.
            let rotated = try await api.post("/v1/members/\(member.id)/token:rotate", token: s.moderator, #"{}"#)
            #expect(rotated.status == .ok, "\(rotated.text)")
            #expect(rotated.headers[.cacheControl] == "no-store")
            let fresh = rotated.body["token"]!.string!
            #expect(try await api.get("/v1/workshops/\(s.workshop)", token: fresh).status == .ok)
            #expect(try await api.get("/v1/workshops/\(s.workshop)", token: token).status == .unauthorized)
            // Revocation.
            #expect(try await api.request(.delete, "/v1/members/\(member.id)/token", token: s.moderator).status == .noContent)
            #expect(try await api.get("/v1/workshops/\(s.workshop)", token: fresh).status == .unauthorized)
            #expect(try await api.request(.delete, "/v1/members/\(member.id)/token", token: s.moderator).status == .notFound)
            #expect(try await Self.count(api, """
                SELECT count(*) FROM audit_log WHERE action IN ('member_token.rotate', 'member_token.revoke')
                """) == 2)

            // Admin tokens, by id, as the command line does it.
            let tokens = PostgresTokenRepository(client: api.database, logger: TestDatabase.logger)
            let admin = try await tokens.createAdminToken(label: "Land", expiresAt: Date(timeIntervalSinceNow: -60))
            #expect(try await api.get("/v1/workshops", token: admin.token).body["type"]?.string?.hasSuffix("token-expired") == true)
            let replaced = try #require(try await tokens.rotateAdminToken(admin.id, expiresAt: nil, by: .commandLine))
            #expect(try await api.get("/v1/workshops", token: replaced.token).status == .ok)
            #expect(try await api.get("/v1/workshops", token: admin.token).status == .unauthorized)
            #expect(try await tokens.revokeAdminToken(admin.id, by: .commandLine))
            #expect(try await api.get("/v1/workshops", token: replaced.token).status == .unauthorized)
            #expect(try await tokens.adminTokens().contains { $0.id == admin.id && $0.revokedAt != nil })
            #expect(try await Self.count(api, """
                SELECT count(*) FROM audit_log WHERE action IN ('admin_token.rotate', 'admin_token.revoke')
                """) == 2)
        }
    }

    @Test("before authentication: a per-address limit, and no body is read without a valid token")
    func beforeAuthentication() async throws {
        let clock = ManualClock()
        let configuration = AppConfiguration(requestDeadline: .seconds(120), rateLimit: .init(rate: 10_000, burst: 10_000),
                                             addressRateLimit: .init(rate: 1, burst: 3), clock: clock)
        try await TestAPI.run(configuration: configuration) { api in
            // A big body with a bad token: refused for the token (401), not read (no 413).
            let big = ByteBuffer(repeating: UInt8(ascii: "x"), count: 3 << 20)
            #expect(try await api.request(.put, "/v1/rounds/\(UUID())/ballot", token: "nonsense",
                                          contentType: "application/json", body: big).status == .unauthorized)
            // Tokenless requests to public paths count too; health probes do not.
            #expect(try await api.get("/openapi.yaml", token: nil).status == .ok)
            #expect(try await api.get("/reports/nowhere", token: nil).status == .notFound)
            for _ in 0..<5 { #expect(try await api.get("/health/live", token: nil).status == .ok) }
            let limited = try await api.get("/v1/workshops", token: "nonsense")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "1")
            clock.advance(by: .seconds(1))
            #expect(try await api.get("/v1/workshops", token: api.admin).status == .ok)
        }
        // Whose address a request has: X-Forwarded-For only from a trusted proxy.
        #expect(ClientAddress.of(peer: "203.0.113.7", forwardedFor: ["10.0.0.1"], trustedProxies: []) == "203.0.113.7")
        #expect(ClientAddress.of(peer: "10.0.0.2", forwardedFor: ["198.51.100.1, 203.0.113.9"], trustedProxies: ["10.0.0.2"]) == "203.0.113.9")
        #expect(ClientAddress.of(peer: "10.0.0.2", forwardedFor: ["203.0.113.9, 10.0.0.3"], trustedProxies: ["10.0.0.2", "10.0.0.3"]) == "203.0.113.9")
        #expect(ClientAddress.of(peer: nil, forwardedFor: [], trustedProxies: []) == "unknown")
    }

    @Test("exports: formulas are neutralised in CSV, HTML is escaped in Markdown, UUIDs are lower case")
    func exportFindings() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let formula = #"=HYPERLINK("http://evil.example","Klick")"#
            let markup = "<img src=x onerror=alert(1)> & Co"
            for (code, title) in [("F", formula), ("M", markup), ("P", "+49 30"), ("At", "@home")] {
                let created = try await api.post("/v1/workshops/\(e.scenario.workshop)/recommendations", token: e.scenario.moderator,
                                                 TestAPI.json(["code": code, "title": title, "body": ""]))
                #expect(created.status == .created, "\(created.text)")
                #expect(created.id == created.id.lowercased())
            }
            let list = "/v1/workshops/\(e.scenario.workshop)/implementation-list"
            let csv = try await api.get("\(list)?format=csv", token: e.scenario.observer).text
            #expect(csv.contains(#""'=HYPERLINK(""http://evil.example"",""Klick"")""#))
            #expect(csv.contains(",'+49 30,") && csv.contains(",'@home,"))
            #expect(!csv.contains(",=HYPERLINK"))
            // The export reads back to the same titles.
            let reimport = try await api.request(.post, "/v1/workshops/\(e.scenario.workshop)/recommendations:import",
                                                 token: e.scenario.moderator, json: csv, contentType: "text/csv")
            #expect(reimport.body["unchanged"]?.int == 7, "\(reimport.text)")
            // Tab and carriage return lead a cell into a formula too.
            #expect(WerkstattReports.Table(headers: ["a"], rows: [["\tx"], ["\ry"], ["-1"], ["1-"]]).csv()
                == "\u{FEFF}a\r\n'\tx\r\n\"'\ry\"\r\n'-1\r\n1-\r\n")
            let markdown = try await api.get("\(list)?format=md", token: e.scenario.observer).text
            #expect(markdown.contains("&lt;img src=x onerror=alert(1)&gt; &amp; Co"))
            #expect(!markdown.contains("<img"))
            let workshop = try await api.get("/v1/workshops/\(e.scenario.workshop)", token: e.scenario.observer)
            #expect(workshop.id == workshop.id.lowercased() && workshop.text.contains(e.scenario.workshop.lowercased()))
        }
    }

    @Test("a voted recommendation is not rewritten by an import; every change keeps its old values in the audit log")
    func importRewrites() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let path = "/v1/workshops/\(e.scenario.workshop)/recommendations:import"
            func importing(_ csv: String) async throws -> Reply {
                try await api.request(.post, path, token: e.scenario.moderator, json: csv, contentType: "text/csv")
            }
            // Not in any round yet: a change is made, and the audit log keeps the old title.
            #expect(try await importing("code,title\nA,Empfehlung A neu\n").body["updated"]?.int == 1)
            #expect(try await Self.count(api, """
                SELECT count(*) FROM audit_log WHERE action = 'recommendation.update' AND details->>'title_before' = 'Empfehlung A'
                """) == 1)
            let round = try await e.round(api, ["method": "approval", "recommendation_ids": [e.ids["A"]!, e.ids["B"]!]])
            _ = round
            let refused = try await importing("code,title\nA,Ganz anders\nC,C darf sich ändern\n")
            #expect(refused.status == .conflict)
            #expect(refused.body["detail"]?.string?.contains("A (line 2)") == true)
            #expect(try await importing("code,title\nA,Empfehlung A neu\nC,C darf sich ändern\n").body["updated"]?.int == 1)
            // The implementation list's own changes of lead and timeframe are kept with their old values.
            let item = try await api.get("/v1/workshops/\(e.scenario.workshop)/implementation-list", token: e.scenario.moderator)
                .body["items"]![0]!["id"]!.string!
            _ = try await api.request(.patch, "/v1/implementation-items/\(item)", token: e.scenario.moderator,
                                      json: #"{"lead":["IHK"],"progress":20}"#)
            #expect(try await Self.count(api, """
                SELECT count(*) FROM audit_log WHERE action = 'implementation_item.update'
                   AND details ? 'lead_before' AND details->>'progress_before' = '0'
                """) == 1)
        }
    }

    @Test("prune-history forgets who voted in a closed round; the audit and verify keep working; history stays append-only otherwise")
    func pruneHistory() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "dot"])
            for _ in 0..<3 { try await e.vote(api, in: round, group: "industry", ["points": ["A": 2]]) }
            let rounds = PostgresRoundRepository(client: api.database, logger: TestDatabase.logger)
            let id = UUID(uuidString: round)!
            await #expect(throws: StoreError.self) { try await rounds.pruneHistory(of: id, by: .commandLine) }
            // The runtime cannot rewrite history of an open round.
            await #expect(throws: (any Error).self) {
                try await api.database.query("UPDATE ballot_history SET member_id = NULL, pruned_at = now() WHERE round_id = \(id)",
                                             logger: TestDatabase.logger)
            }
            _ = try await e.ranking(api, of: round)
            #expect(try await rounds.pruneHistory(of: id, by: .commandLine) == 3)
            #expect(try await Self.count(api, "SELECT count(*) FROM ballot_history WHERE member_id IS NOT NULL") == 0)
            #expect(try await Self.count(api, "SELECT count(*) FROM ballots") == 0)
            let audit = try await api.get("/v1/rounds/\(round)/audit", token: e.scenario.observer)
            #expect(audit.status == .ok)
            let decoded = try JSONDecoder.rfc3339().decode(RoundAudit.self, from: Data(audit.text.utf8))
            #expect(AuditVerification.verify(decoded).passed)
            // A new k recounts the workshop's rounds, but not a pruned one.
            _ = try await api.request(.patch, "/v1/workshops/\(e.scenario.workshop)", token: e.scenario.moderator,
                                      json: #"{"min_group_size":2}"#)
            await AggregationWorker(client: api.database, logger: TestDatabase.logger).drain()
            #expect(try await api.get("/v1/rounds/\(round)/ranking", token: e.scenario.observer).body["ballots_counted"]?.int == 3)
            // History rows are never deleted.
            await #expect(throws: (any Error).self) {
                try await api.database.query("DELETE FROM ballot_history", logger: TestDatabase.logger)
            }
        }
    }

    @Test("a ballot's member and round belong to one workshop, enforced by the schema")
    func compositeKeys() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let other = try await Scenario.make(api, slug: "andere", phase: "voting")
            let round = UUID(uuidString: try await e.round(api, ["method": "approval"]))!
            let foreigner = UUID(uuidString: other.participantId)!
            await #expect(throws: (any Error).self) {
                try await api.database.query("""
                    INSERT INTO ballots (round_id, member_id, workshop_id, version, content, entries)
                    SELECT \(round), \(foreigner), workshop_id, 1, '{}', '{0}' FROM rounds WHERE id = \(round)
                    """, logger: TestDatabase.logger)
            }
        }
    }
}
