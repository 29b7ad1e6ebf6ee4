import Foundation
import Testing

@Suite("Workshops, organisations and set-up")
struct WorkshopTests {
    @Test("an admin creates, lists and reads workshops; members see only their own")
    func workshops() async throws {
        try await TestAPI.run { api in
            let created = try await api.post("/v1/workshops", token: api.admin, TestAPI.json([
                "slug": "muelheim-2017", "title": "Stärkungsinitiative Industrie Mülheim an der Ruhr",
                "description": "33 Projekte in drei Arbeitskreisen", "region": "Mülheim an der Ruhr",
                "starts_on": "2017-01-01", "ends_on": "2018-12-31",
            ]))
            #expect(created.status == .created)
            #expect(created.body["phase"]?.string == "draft")
            #expect(created.body["starts_on"]?.string == "2017-01-01")
            #expect(created.body["title"]?.string == "Stärkungsinitiative Industrie Mülheim an der Ruhr")

            let other = try await Scenario.make(api, slug: "sachsen-2016")
            let all = try await api.get("/v1/workshops", token: api.admin)
            #expect(all.body["items"]?.array.count == 2)
            let own = try await api.get("/v1/workshops", token: other.participant)
            #expect(own.body["items"]?.array.map { $0["id"]?.string } == [other.workshop])

            let read = try await api.get("/v1/workshops/\(created.id)", token: api.admin)
            #expect(read.status == .ok)
            #expect(read.body["slug"]?.string == "muelheim-2017")
            // A member of another workshop learns nothing, not even that it exists.
            #expect(try await api.get("/v1/workshops/\(created.id)", token: other.participant).status == .notFound)
        }
    }

    @Test("slugs are unique and checked; dates must be dates")
    func workshopValidation() async throws {
        try await TestAPI.run { api in
            let body = #"{"slug":"leipzig","title":"Leipzig"}"#
            #expect(try await api.post("/v1/workshops", token: api.admin, body).status == .created)
            let duplicate = try await api.post("/v1/workshops", token: api.admin, body)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.headers[.contentType] == "application/problem+json")
            let bad = try await api.post("/v1/workshops", token: api.admin,
                                         #"{"slug":"Not A Slug","title":" ","starts_on":"2017-02-30"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.body["errors"]!.array.compactMap { $0["field"]?.string }) == ["slug", "title", "starts_on"])
            let missing = try await api.post("/v1/workshops", token: api.admin, #"{"title":"x"}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.body["errors"]?[0]?["field"]?.string == "slug")
        }
    }

    @Test("phases move forward, or back one step; only moderators move them")
    func phases() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api, phase: "draft")
            let path = "/v1/workshops/\(s.workshop)/phase"
            #expect(try await api.post(path, token: s.participant, #"{"phase":"collecting"}"#).status == .forbidden)
            #expect(try await api.post(path, token: s.moderator, #"{"phase":"voting"}"#).body["phase"]?.string == "voting")
            #expect(try await api.post(path, token: s.moderator, #"{"phase":"discussing"}"#).status == .ok)
            #expect(try await api.post(path, token: s.moderator, #"{"phase":"draft"}"#).status == .conflict)
            #expect(try await api.post(path, token: s.moderator, #"{"phase":"sleeping"}"#).status == .unprocessableContent)
            #expect(try await api.post(path, token: s.moderator, #"{"phase":"closed"}"#).status == .ok)
            // A closed workshop takes no more set-up (its members' tokens read only; an
            // admin meets the phase rule), and stays closed.
            let member = try await api.post("/v1/workshops/\(s.workshop)/members", token: s.moderator,
                                            #"{"display_name":"late","role":"participant"}"#)
            #expect(member.status == .forbidden)
            #expect(try await api.post("/v1/workshops/\(s.workshop)/members", token: api.admin,
                                       #"{"display_name":"late","role":"participant"}"#).status == .conflict)
            let reopen = try await api.post(path, token: api.admin, #"{"phase":"implementing"}"#)
            #expect(reopen.status == .conflict)
            #expect(reopen.body["detail"]?.string?.contains("cannot be reopened") == true)
            #expect(try await api.get("/v1/workshops/\(s.workshop)", token: s.moderator).status == .ok)
        }
    }

    @Test("organisations, members, working groups and events")
    func setup() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            let organisation = try await api.post("/v1/organisations", token: api.admin,
                #"{"name":"IHK Chemnitz","stakeholder_group":"association","region":"Sachsen"}"#)
            #expect(organisation.status == .created)
            #expect(try await api.post("/v1/organisations", token: s.moderator, #"{"name":"x","stakeholder_group":"union"}"#).status == .forbidden)
            #expect(try await api.post("/v1/organisations", token: api.admin, #"{"name":"x","stakeholder_group":"guild"}"#).status == .unprocessableContent)
            #expect(try await api.get("/v1/organisations", token: s.observer).body["items"]?.array.count == 1)

            // A member's group comes from the organisation unless set on the member.
            let member = try await api.post("/v1/workshops/\(s.workshop)/members", token: s.moderator,
                TestAPI.json(["display_name": "Referentin Industrie", "role": "participant", "organisation_id": organisation.id]))
            #expect(member.status == .created)
            #expect(member.body["stakeholder_group"]?.string == "association")
            #expect(member.body["token"]?.string?.count == 43)
            let members = try await api.get("/v1/workshops/\(s.workshop)/members", token: s.moderator)
            #expect(members.body["items"]?.array.count == 4)
            #expect(members.body["items"]?.array.allSatisfy { $0["token"] == nil } == true)
            #expect(try await api.get("/v1/workshops/\(s.workshop)/members", token: s.participant).status == .forbidden)
            let unknownOrganisation = try await api.post("/v1/workshops/\(s.workshop)/members", token: s.moderator,
                TestAPI.json(["display_name": "x", "role": "participant", "organisation_id": UUID().uuidString]))
            #expect(unknownOrganisation.status == .unprocessableContent)
            #expect(unknownOrganisation.body["errors"]?[0]?["field"]?.string == "organisation_id")

            let group = try await api.post("/v1/workshops/\(s.workshop)/working-groups", token: s.moderator,
                #"{"code":"AK 1","title":"Industrie und Gesellschaft"}"#)
            #expect(group.status == .created)
            #expect(try await api.post("/v1/workshops/\(s.workshop)/working-groups", token: s.moderator,
                #"{"code":"AK 1","title":"again"}"#).status == .conflict)
            #expect(try await api.get("/v1/workshops/\(s.workshop)/working-groups", token: s.observer).body["items"]?.array.count == 1)

            let event = try await api.post("/v1/workshops/\(s.workshop)/events", token: s.moderator,
                #"{"title":"Auftakt","place":"Leipzig","starts_at":"2016-03-01T09:30:00Z"}"#)
            #expect(event.status == .created)
            #expect(event.body["starts_at"]?.string?.hasPrefix("2016-03-01T09:30:00") == true)
            #expect(try await api.post("/v1/workshops/\(s.workshop)/events", token: s.moderator,
                #"{"title":"x","starts_at":"yesterday"}"#).status == .unprocessableContent)
            #expect(try await api.post("/v1/workshops/\(s.workshop)/events", token: s.participant,
                #"{"title":"x","starts_at":"2016-03-01T09:30:00Z"}"#).status == .forbidden)
            #expect(try await api.get("/v1/workshops/\(s.workshop)/events", token: s.participant).body["items"]?.array.count == 1)
        }
    }

    @Test("every moderator action lands in the audit log")
    func auditLog() async throws {
        try await TestAPI.run { api in
            let s = try await Scenario.make(api)
            _ = try await api.post("/v1/workshops/\(s.workshop)/working-groups", token: s.moderator, #"{"code":"AK 2","title":"t"}"#)
            let rows = try await api.database.query(
                "SELECT action FROM audit_log WHERE workshop_id = \(UUID(uuidString: s.workshop)!) ORDER BY id",
                logger: TestDatabase.logger)
            var actions: [String] = []
            for try await action in rows.decode(String.self) { actions.append(action) }
            #expect(actions == ["workshop.create", "member.create", "member.create", "member.create",
                                "workshop.phase", "working_group.create"])
        }
    }
}
