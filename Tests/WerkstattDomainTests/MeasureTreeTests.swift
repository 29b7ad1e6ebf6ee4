import Foundation
import Testing
import WerkstattDomain

@Suite("Measures: roll-up, cycles, history replay, overdue")
struct MeasureTreeTests {
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

    static func record(_ n: Int, parent: Int?, progress: Int = 0, status: ImplementationStatus = .planned,
                       weight: Double? = nil, order: Int? = nil) -> MeasureRecord {
        MeasureRecord(id: id(n), state: RecordedState(parentId: parent.map(id), title: "M\(n)", status: status,
                                                      progress: progress, weight: weight), order: order ?? n)
    }

    /// Four levels below the item, weights on some children only, a dropped child:
    ///
    ///     item
    ///     ├─ 1            plain mean of 2, 3            = (100 + 55) / 2        = 77.5
    ///     │  ├─ 2 done 100
    ///     │  └─ 3         4 (w 3), 5 (no weight: 1), 6 dropped = (70·3 + 10) / 4 = 55
    ///     │     ├─ 4 w 3  7 (no weight: 1), 8 (w 3)  = (40 + 80·3) / 4          = 70
    ///     │     │  ├─ 7 in progress 40
    ///     │     │  └─ 8 in progress 80, w 3
    ///     │     ├─ 5 in progress 10
    ///     │     └─ 6 dropped 90 (left out)
    ///     └─ 9 planned 0
    ///     item: (77.5 + 0) / 2 = 38.75, shown 38.8
    static let tree: [MeasureRecord] = [
        record(1, parent: nil), record(2, parent: 1, progress: 100, status: .done), record(3, parent: 1),
        record(4, parent: 3, weight: 3), record(5, parent: 3, progress: 10, status: .inProgress),
        record(6, parent: 3, progress: 90, status: .dropped), record(7, parent: 4, progress: 40, status: .inProgress),
        record(8, parent: 4, progress: 80, status: .inProgress, weight: 3), record(9, parent: nil),
    ]

    @Test("a four-level tree rolls up by hand: weighted where a child has a weight (others count 1), plain mean otherwise, dropped left out")
    func rollUpByHand() throws {
        let item = Self.id(100)
        let roots = MeasureTree.build(item: item, records: Self.tree)
        #expect(roots.map(\.title) == ["M1", "M9"])
        let all = Dictionary(uniqueKeysWithValues: roots.flatMap(\.flattened).map { ($0.title, $0) })
        #expect(all["M4"]?.progress == 70)
        #expect(all["M3"]?.progress == 55)
        #expect(all["M1"]?.progress == 77.5)
        #expect(all["M1"]?.progressSource == .measures)
        #expect(all["M2"]?.progressSource == .own)
        #expect(all["M3"]?.status == .inProgress)
        #expect(all["M3"]?.statusSource == .derived)
        #expect(all["M6"]?.status == .dropped)

        let own = RecordedState(status: .planned, progress: 12)
        let shown = MeasureTree.shown(own: own, children: MeasureTree.shares(item: item, records: Self.tree))
        #expect(shown.progress == 38.75)
        #expect(MeasureTree.rounded(shown.progress) == 38.8)
        #expect(shown.status == .inProgress)
        #expect(shown.statusSource == .derived)
        #expect(shown.progressSource == .measures)
        // Without measures the item's own figures count.
        #expect(MeasureTree.shown(own: own, children: []).progress == 12)
    }

    @Test("the status rule: all done → done, all planned → planned, all dropped → dropped, a mix → in progress; explicit wins")
    func statusRule() {
        #expect(MeasureTree.status(of: [.done, .done, .dropped]) == .done)
        #expect(MeasureTree.status(of: [.planned, .planned]) == .planned)
        #expect(MeasureTree.status(of: [.dropped, .dropped]) == .dropped)
        #expect(MeasureTree.status(of: [.planned, .done]) == .inProgress)
        #expect(MeasureTree.status(of: []) == nil)
        let explicit = RecordedState(status: .done, statusExplicit: true)
        let children = [MeasureTree.Share(progress: 10, status: .inProgress, weight: nil)]
        #expect(MeasureTree.shown(own: explicit, children: children).status == .done)
        #expect(MeasureTree.shown(own: explicit, children: children).statusSource == .explicit)
        // All children dropped: nothing counts towards progress.
        #expect(MeasureTree.progress(of: [.init(progress: 80, status: .dropped, weight: 2)]) == nil)
    }

    @Test("moving a measure under itself or below itself is a cycle; elsewhere it is not")
    func cycles() {
        let parents: [UUID: UUID?] = Dictionary(uniqueKeysWithValues: Self.tree.map { ($0.id, $0.state.parentId) })
        #expect(MeasureTree.wouldCycle(moving: Self.id(3), to: Self.id(3), parents: parents))
        #expect(MeasureTree.wouldCycle(moving: Self.id(3), to: Self.id(7), parents: parents))
        #expect(MeasureTree.wouldCycle(moving: Self.id(1), to: Self.id(8), parents: parents))
        #expect(!MeasureTree.wouldCycle(moving: Self.id(3), to: Self.id(9), parents: parents))
        #expect(!MeasureTree.wouldCycle(moving: Self.id(7), to: nil, parents: parents))
        #expect(MeasureTree.subtree(of: Self.id(3), parents: parents) == Set([3, 4, 5, 6, 7, 8].map(Self.id)))
    }

    @Test("archived measures and what hangs below them are not shown and do not count")
    func archived() {
        var records = Self.tree
        records[2].state.archived = true // M3 and everything below it
        let roots = MeasureTree.build(item: Self.id(100), records: records)
        #expect(roots.flatMap(\.flattened).map(\.title) == ["M1", "M2", "M9"])
        #expect(roots[0].progress == 100)
    }

    @Test("replaying history: the standing as of a time ignores later changes; the series steps with each change")
    func replay() throws {
        let item = Self.id(100)
        func at(_ day: String) -> Date { Day.start(of: day)!.addingTimeInterval(43_200) }
        let points = [
            HistoryPoint(kind: .item, entityId: item, at: at("2017-03-15"), state: RecordedState()),
            HistoryPoint(kind: .measure, entityId: Self.id(1), at: at("2017-03-15"), state: RecordedState(title: "a")),
            HistoryPoint(kind: .measure, entityId: Self.id(2), at: at("2017-03-15"), state: RecordedState(title: "b")),
            HistoryPoint(kind: .measure, entityId: Self.id(1), at: at("2018-03-31"),
                         state: RecordedState(title: "a", status: .inProgress, progress: 50)),
            HistoryPoint(kind: .measure, entityId: Self.id(2), at: at("2018-09-30"),
                         state: RecordedState(title: "b", status: .done, progress: 100)),
        ]
        // As of a day: what the item showed at the end of it, where a course from then starts.
        let cut = try #require(Day.end(of: "2018-06-30"))
        let asOf = HistoryReplay.course(item: item, points, from: cut).then
        #expect(asOf?.progress == 25)
        #expect(asOf?.status == .inProgress)
        let series = HistoryReplay.course(item: item, points, from: try #require(Day.start(of: "2018-01-01"))).series
        #expect(series.map(\.progress) == [0, 25, 75])
        #expect(series.map(\.status) == [.planned, .inProgress, .inProgress])
    }

    @Test("days are YYYY-MM-DD and 'as of' a day ends at the next day's midnight UTC")
    func days() throws {
        #expect(Day.isValid("2018-06-30"))
        #expect(!Day.isValid("2018-13-01"))
        #expect(!Day.isValid("30.06.2018"))
        let end = try #require(Day.end(of: "2018-06-30"))
        #expect(Day.of(end) == "2018-07-01")
        #expect(Day.of(end.addingTimeInterval(-1)) == "2018-06-30")
        #expect(Day.between("2018-06-30", "2018-07-10") == 10)
    }

    @Test("bodies name each broken rule: progress, dates, weight")
    func violations() throws {
        let bad = NewMeasure(title: "", progress: 150, weight: 0, reviewDue: "2018-02-30",
                             milestones: [Milestone(title: "x", due: "2018/01/01", done: "soon")])
        let fields = Set(bad.violations().map(\.field))
        #expect(fields == ["title", "progress", "weight", "review_due", "milestones[0].due", "milestones[0].done"])
        let change = try JSONDecoder().decode(MeasureChange.self, from: Data(#"{"weight":null,"status":null}"#.utf8))
        #expect(change.weight == .clear)
        #expect(change.status == .clear)
        #expect(change.violations().isEmpty)
        #expect(!MeasureChange().violations().isEmpty)
        let item = try JSONDecoder().decode(ImplementationChange.self, from: Data(#"{"review_due":"2018-13-01"}"#.utf8))
        #expect(item.violations().map(\.field) == ["review_due"])
    }

    @Test("overdue: milestones due before the day and not done by it, reports past review_due, with days late")
    func overdue() {
        let item = ImplementationItem(id: Self.id(100), position: 1, recommendationId: Self.id(101), code: "AK1-01",
                                      title: "Flächen", workingGroup: nil, priorityRank: nil, lead: ["Planungsamt"],
                                      timeframe: nil, status: .inProgress, progress: 10, updatedAt: Date(), notes: [],
                                      reviewDue: "2018-06-01",
                                      milestones: [Milestone(title: "Konzept", due: "2018-05-01"),
                                                   Milestone(title: "Beschluss", due: "2018-04-01", done: "2018-04-20"),
                                                   Milestone(title: "Spät erledigt", due: "2018-05-20", done: "2018-07-01")])
        let list = ImplementationList(workshopId: Self.id(200), roundId: nil, provisional: false, items: [item])
        let entries = OverdueEntry.entries(in: list, on: "2018-06-30")
        #expect(entries.map(\.daysLate) == [60, 41, 29])
        #expect(entries.map(\.kind) == [.milestone, .milestone, .review])
        #expect(OverdueEntry.entries(in: list, on: "2018-04-15").map(\.milestone) == ["Beschluss"])
    }
}
