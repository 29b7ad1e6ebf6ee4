import Foundation
import Testing
import WerkstattDomain
import WerkstattVoting

@Suite("Theses written directly as JSON, contract times")
struct ThesisJSONTests {
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))! }

    static let tricky = "a/b \"q\" back\\slash\ttab\nline\r\u{0}\u{1}\u{8}\u{c}\u{f}\u{10}\u{1f}\u{7f} ü€😀 \u{2028}"

    /// Counts for every group: some at or above k = 3, some below (pooled or withheld).
    static var stances: StanceSummary {
        StanceSummary(byGroup: [.industry: .init(agree: 3, disagree: 1, pass: 1), .science: .init(agree: 1, disagree: 2),
                                .union: .init(agree: 1), .politics: .init(pass: 1), .civilSociety: .init(agree: 2, disagree: 2),
                                .other: .init(disagree: 1), .administration: .init(agree: 0, disagree: 1, pass: 0)],
                      minGroupSize: 3)
    }

    static func thesis(_ n: Int, every: Bool, stances: StanceSummary? = nil) -> Thesis {
        Thesis(id: id(n), workshopId: id(100), authorId: id(n + 1), title: every ? tricky : "Plain \(n)",
               body: every ? "Body \(tricky) \(n)" : "", workingGroupId: every ? id(200) : nil, eventId: every ? id(300) : nil,
               withdrawn: every, withdrawnReason: every ? tricky : nil,
               createdAt: Date(timeIntervalSince1970: 1_500_000_000.123 + Double(n) * 3_601.000_999), stances: stances)
    }

    static func encoded<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder.contract().encode(value), as: UTF8.self)
    }

    @Test("a page of theses: json() writes what JSONEncoder.contract() writes, byte for byte")
    func pageSameAsEncoder() throws {
        var withheld = Self.stances
        withheld.consensus = nil; withheld.controversy = nil; withheld.byGroup = [:]; withheld.withheldGroups = []
        var figures = Self.stances
        figures.consensus = 1e-7; figures.controversy = 0.1 + 0.2
        let items = [Self.thesis(1, every: true, stances: Self.stances), Self.thesis(2, every: false),
                     Self.thesis(3, every: true), Self.thesis(4, every: false, stances: withheld),
                     Self.thesis(5, every: true, stances: figures)]
        let pages = [Page(items: items, nextCursor: "djE6NQ"), Page(items: items, nextCursor: nil),
                     Page(items: [Self.thesis(6, every: false)], nextCursor: Self.tricky), Page<Thesis>(items: [], nextCursor: nil)]
        for page in pages {
            #expect(page.json().text == (try Self.encoded(page)))
        }
        for thesis in items {
            #expect(thesis.json().text == (try Self.encoded(thesis)))
        }
        // The figures are there, as the disclosure for k = 3 allows them.
        let text = Self.thesis(1, every: true, stances: Self.stances).json().text
        #expect(text.contains(#""by_group":{"civil_society":{"agree":2,"disagree":2,"pass":0},"further_groups":"#))
        #expect(text.contains(#""consensus":"#) && !text.contains(#""consensus":null"#))
    }

    @Test("contract times are Foundation's ISO 8601 text, byte for byte")
    func contractTime() {
        func foundation(_ date: Date) -> String {
            date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        }
        var dates = [0, 1_500_000_000.123, -1, -0.5, -0.0005, 0.9995, 0.9999, 0.000_499_9, 951_782_400, 4_102_444_800,
                     253_402_300_799.999, 253_402_300_800, -2_208_988_800, -11_644_473_600, -11_644_473_600.001,
                     -12_219_292_800, -62_135_596_800].map { Date(timeIntervalSince1970: $0) }
        // Times as PostgresNIO decodes timestamptz (microseconds from 2000), and others.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for _ in 0..<20_000 {
            let micros = Int64(next() % 9_000_000_000_000_000) - 1_000_000_000_000_000
            dates.append(Date(timeInterval: Double(micros) / 1_000_000, since: Date(timeIntervalSince1970: 946_684_800)))
            dates.append(Date(timeIntervalSince1970: Double(next() % 12_000_000_000_000) / 1_000 - 4_000_000_000))
        }
        var mismatches: [String] = []
        for date in dates where JSONEncoder.contractTime(date) != foundation(date) {
            mismatches.append("\(date.timeIntervalSinceReferenceDate): \(JSONEncoder.contractTime(date)) ≠ \(foundation(date))")
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}

@Suite("Workshops written directly as JSON")
struct WorkshopJSONTests {
    @Test("json() writes what JSONEncoder.contract() writes, byte for byte")
    func sameAsEncoder() throws {
        let every = Workshop(id: ThesisJSONTests.id(1), slug: "sachsen-2017", title: ThesisJSONTests.tricky,
                             description: ThesisJSONTests.tricky, region: "Sachsen/Dresden", startsOn: "2017-03-01",
                             endsOn: "2018-06-30", phase: .discussing, publicReport: true, minGroupSize: 7, opinionMinStances: 12,
                             createdAt: Date(timeIntervalSince1970: 1_488_358_800.456), updatedAt: Date(timeIntervalSince1970: 1_500_000_000.999))
        let bare = Workshop(id: ThesisJSONTests.id(2), slug: "w", title: "W", description: nil, region: nil, startsOn: nil,
                            endsOn: nil, phase: .draft, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0.0005))
        for workshop in [every, bare] {
            #expect(workshop.json().text == (try ThesisJSONTests.encoded(workshop)))
        }
    }
}
