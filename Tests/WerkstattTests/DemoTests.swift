import Foundation
import PostgresNIO
import Testing
import WerkstattDemo

@Suite("Demo")
struct DemoTests {
    static func counts(_ api: TestAPI) async throws -> [Int64] {
        let rows = try await api.database.query("""
            SELECT (SELECT count(*) FROM workshops), (SELECT count(*) FROM organisations), (SELECT count(*) FROM members),
                   (SELECT count(*) FROM theses), (SELECT count(*) FROM stances), (SELECT count(*) FROM comments),
                   (SELECT count(*) FROM recommendations), (SELECT count(*) FROM ballots),
                   (SELECT count(*) FROM ranking_snapshots), (SELECT count(*) FROM implementation_notes)
            """, logger: TestDatabase.logger)
        for try await row in rows.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self) {
            return [row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9]
        }
        return []
    }

    @Test("the demo builds both workshops with real content, and running it again adds nothing")
    func demoIsIdempotent() async throws {
        try await TestAPI.run { api in
            let first = try await Demo(client: api.database, logger: TestDatabase.logger).run()
            #expect(first.map(\.created) == [true, true])
            let after = try await Self.counts(api)
            #expect(after[0] == 2)
            #expect(after[2] > 300)
            #expect(after[7] > 300)
            let second = try await Demo(client: api.database, logger: TestDatabase.logger).run()
            #expect(second.map(\.created) == [false, false])
            #expect(try await Self.counts(api) == after)

            // The Saxon workshop names its six recommendations; Mülheim has AK 1–3 with leads and timeframes.
            let workshops = try await api.get("/v1/workshops", token: api.admin).body["items"]!.array
            let muelheim = workshops.first { $0["slug"]!.string!.contains("muelheim") }!["id"]!.string!
            let list = try await api.get("/v1/workshops/\(muelheim)/implementation-list", token: api.admin).body
            #expect(list["round_id"] != .null)
            #expect(list["provisional"]?.bool == false)
            #expect(list["items"]!.array.allSatisfy { !($0["code"]!.string!.isEmpty) })
            #expect(Set(list["items"]!.array.compactMap { $0["working_group"]?["code"]?.string }) == ["AK 1", "AK 2", "AK 3"])
            #expect(list["items"]!.array.contains { $0["timeframe_text_de"]?.string == "fortlaufend" })
            let report = try await api.get("/reports/\(workshops.first { $0["slug"]!.string!.contains("sachsen") }!["slug"]!.string!)",
                                           token: nil)
            #expect(report.status == .ok)
            for name in ["TGZ 4.0", "Transformationslabore", "InnoCamps"] {
                #expect(report.text.contains(name), "\(name)")
            }
        }
    }
}
