import Foundation
import Testing
import WerkstattDomain

@Suite("The implementation list written directly as JSON, UUID text, days")
struct ListJSONTests {
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))! }

    /// Every field of items and measures, null and set, with text that needs escaping.
    static var list: ImplementationList {
        let tricky = "a/b \"q\" back\\slash\ttab\nline\r\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f} ü€😀 \u{2028}"
        let records = [
            MeasureRecord(id: id(11), state: RecordedState(title: "Top", lead: ["Amt", tricky],
                                                           timeframe: Timeframe(kind: .range, year: 2017, toYear: 2019),
                                                           status: .inProgress, statusExplicit: true, progress: 40, weight: 2.5,
                                                           reviewDue: "2018-03-31",
                                                           milestones: [Milestone(title: "M", due: "2018-01-31", done: "2018-02-01"),
                                                                        Milestone(title: tricky, due: "2018-06-30")]),
                          order: 1),
            MeasureRecord(id: id(12), state: RecordedState(parentId: id(11), title: "Below", status: .done, progress: 100,
                                                           weight: 0.333333333333333), order: 2),
            MeasureRecord(id: id(13), state: RecordedState(parentId: id(11), title: "Below 2",
                                                           timeframe: Timeframe(kind: .ongoing), progress: 33), order: 3),
            MeasureRecord(id: id(14), state: RecordedState(title: "Other", timeframe: Timeframe(kind: .by, year: 2018),
                                                           status: .dropped, progress: 7, weight: 1e16), order: 4),
        ]
        let first = ImplementationItem(
            id: id(1), position: 1, recommendationId: id(2), code: "R1", title: tricky,
            workingGroup: .init(id: id(3), code: "AK 1", title: "Arbeitskreis"), priorityRank: 1,
            state: RecordedState(lead: ["Stadt"], timeframe: Timeframe(kind: .in, year: 2017), status: .planned,
                                 reviewDue: "2018-12-31", milestones: [Milestone(title: "Start", due: "2017-06-30")]),
            measures: records, updatedAt: Date(timeIntervalSince1970: 1_500_000_000.123),
            notes: [.init(note: tricky, createdAt: Date(timeIntervalSince1970: 1_510_000_000))])
        let second = ImplementationItem(
            id: id(4), position: 2, recommendationId: id(5), code: "R2", title: "Plain", workingGroup: nil, priorityRank: nil,
            state: RecordedState(status: .inProgress, statusExplicit: false, progress: 45), measures: [],
            updatedAt: Date(timeIntervalSince1970: 0), notes: [])
        return ImplementationList(workshopId: id(6), roundId: id(7), provisional: true, asOf: "2018-06-30", items: [first, second])
    }

    @Test("json() writes what JSONEncoder.contract() writes, byte for byte")
    func sameAsEncoder() throws {
        var lists = [Self.list]
        var bare = Self.list
        bare.roundId = nil; bare.asOf = nil; bare.provisional = false; bare.items = []
        lists.append(bare)
        for list in lists {
            let encoded = String(decoding: try JSONEncoder.contract().encode(list), as: UTF8.self)
            #expect(list.json() == encoded)
        }
        #expect(Self.list.json().contains("\"weight\":2.5"))
    }

    @Test("UUID text is uuidString in lower case")
    func uuidText() {
        for _ in 0..<200 {
            let uuid = UUID()
            #expect(uuid.text == uuid.uuidString.lowercased())
        }
        #expect(Self.id(42).text == "00000000-0000-4000-8000-000000000042")
    }

    @Test("UUIDs compared on their bytes come in the order of their text")
    func uuidOrder() {
        // Random ids, and ids that differ in one nibble only (digits against letters).
        var ids = (0..<300).map { _ in UUID() }
        for text in ["00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-000000000009",
                     "a0000000-0000-0000-0000-000000000000", "90000000-0000-0000-0000-000000000000",
                     "00000000-0000-0000-f000-000000000000", "00000000-0000-0000-1000-000000000000"] {
            ids.append(UUID(uuidString: text)!)
        }
        for a in ids.prefix(60) {
            for b in ids { #expect(a.precedes(b) == (a.text < b.text)) }
        }
    }

    @Test("Day.start counts days as Foundation's Gregorian calendar does")
    func dayStart() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        for text in ["1583-01-01", "1600-02-29", "1700-03-01", "1900-02-28", "1969-12-31", "1970-01-01", "2000-02-29",
                     "2017-06-30", "2018-12-31", "2024-02-29", "2100-03-01", "9999-12-31", "1582-10-15", "1500-02-29", "0001-01-01"] {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            let expected = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
            #expect(Day.start(of: text) == expected, "\(text)")
        }
        for text in ["2018-02-29", "1900-02-29", "2018-04-31", "2018-13-01", "2018-00-10"] {
            #expect(Day.start(of: text) == nil, "\(text)")
        }
        #expect(Day.isValid("2000-02-29") && Day.isValid("2024-02-29") && Day.isValid("2018-06-30"))
        #expect(Day.between("2018-01-01", "2019-01-01") == 365)
    }
}
