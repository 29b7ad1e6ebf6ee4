import Foundation
import Testing
import WerkstattDomain

/// The progress report replays each item's history once (`HistoryReplay.course`), keeping
/// the measures' shape between instants. These tests hold it to the slow way: at every
/// instant, the standing rebuilt from scratch and rolled up through `MeasureTree.build`,
/// the tree builder the list itself uses.
@Suite("History replay: one pass per item matches a replay from scratch")
struct HistoryCourseTests {
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

    /// A small deterministic generator (the same histories on every run).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// One item's history over 2017–2019 (a change every 15 days): measures created before and during the period, up
    /// to three levels deep, with weights on some, dropped and explicit statuses, moves to
    /// another parent, archiving, and several changes at one instant.
    static func history(item: UUID, seed: UInt64, measures: Int) -> [HistoryPoint] {
        var random = Generator(state: seed)
        let statuses = ImplementationStatus.allCases
        var points: [HistoryPoint] = []
        var states: [UUID: RecordedState] = [:]
        var created: [UUID] = []
        let first = Day.start(of: "2017-01-01")!
        points.append(HistoryPoint(kind: .item, entityId: item, at: first, state: RecordedState()))
        for step in 0..<(measures * 6) {
            // Every third change shares the instant of the one before it.
            let at = first.addingTimeInterval(Double(step - (step % 3 == 2 ? 1 : 0)) * 86_400 * 15)
            if created.count < measures, random.next(3) == 0 || created.isEmpty {
                let measure = id(Int(seed) * 1_000 + created.count + 1)
                let parent = created.isEmpty || random.next(2) == 0 ? nil : created[random.next(created.count)]
                let state = RecordedState(parentId: parent, status: .planned,
                                          weight: random.next(3) == 0 ? Double(1 + random.next(4)) : nil)
                created.append(measure)
                states[measure] = state
                points.append(HistoryPoint(kind: .measure, entityId: measure, at: at, state: state))
                continue
            }
            if random.next(8) == 0 {
                // The item itself: its own status, sometimes set by hand.
                let state = RecordedState(status: statuses[random.next(statuses.count)], statusExplicit: random.next(2) == 0,
                                          progress: random.next(101))
                points.append(HistoryPoint(kind: .item, entityId: item, at: at, state: state))
                continue
            }
            let measure = created[random.next(created.count)]
            guard var state = states[measure] else { continue }
            switch random.next(10) {
            case 0:
                // Moved under another measure created before it (never below itself), or to the top.
                let index = created.firstIndex(of: measure) ?? 0
                state.parentId = index == 0 || random.next(3) == 0 ? nil : created[random.next(index)]
            case 1: state.archived = true
            case 2: state.status = .dropped
            case 3: state.statusExplicit.toggle(); state.status = statuses[random.next(statuses.count)]
            default:
                state.progress = random.next(101)
                state.status = state.progress == 100 ? .done : state.progress == 0 ? .planned : .inProgress
            }
            states[measure] = state
            points.append(HistoryPoint(kind: .measure, entityId: measure, at: at, state: state))
        }
        return points
    }

    /// What the item showed after every point before `cut`, the slow way.
    static func shownFromScratch(item: UUID, _ points: [HistoryPoint], before cut: Date)
        -> (status: ImplementationStatus, progress: Double, measures: [UUID: ImplementationStatus])? {
        var own: RecordedState?
        var states: [UUID: RecordedState] = [:]
        for point in points where point.at < cut {
            if point.kind == .item { own = point.state } else { states[point.entityId] = point.state }
        }
        guard let own else { return nil }
        let records = states.map { MeasureRecord(id: $0.key, state: $0.value, order: 0) }
        let trees = MeasureTree.build(item: item, records: records)
        let shown = MeasureTree.shown(own: own, children: MeasureTree.shares(item: item, records: records))
        var measures: [UUID: ImplementationStatus] = [:]
        for measure in trees.flatMap(\.flattened) { measures[measure.id] = measure.status }
        return (shown.status, shown.progress, measures)
    }

    @Test("the standing at the start, the measures' statuses then, the changes and every step of the series",
          arguments: [(UInt64(1), "2018-01-01"), (2, "2017-06-01"), (3, "2018-07-15"), (4, "2016-01-01"), (5, "2019-06-01")])
    func matchesReplayFromScratch(seed: UInt64, from: String) throws {
        let item = Self.id(Int(seed))
        let points = Self.history(item: item, seed: seed, measures: 12)
        let start = try #require(Day.start(of: from))
        let course = HistoryReplay.course(item: item, points, from: start)

        let then = Self.shownFromScratch(item: item, points, before: start)
        #expect(course.then?.status == then?.status)
        // Siblings add up in another order here (creation order, not the dictionary's).
        #expect(abs((course.then?.progress ?? -1) - (then?.progress ?? -1)) < 1e-9)
        #expect(course.measuresThen == (then?.measures ?? [:]))
        #expect(course.changes == points.filter { $0.at >= start }.count)

        var expected: [HistoryReplay.Step] = []
        if let then { expected.append(HistoryReplay.Step(at: start, progress: then.progress, status: then.status)) }
        for instant in Set(points.map(\.at)).sorted() where instant >= start {
            guard let shown = Self.shownFromScratch(item: item, points, before: instant.addingTimeInterval(0.001)) else { continue }
            if let last = expected.last, abs(last.progress - shown.progress) < 1e-9, last.status == shown.status { continue }
            expected.append(HistoryReplay.Step(at: instant, progress: shown.progress, status: shown.status))
        }
        #expect(course.series.count == expected.count)
        for (step, reference) in zip(course.series, expected) {
            #expect(step.at == reference.at)
            #expect(step.status == reference.status)
            #expect(abs(step.progress - reference.progress) < 1e-9)
        }
        #expect(expected.count > 2, "the history moves in the period")
    }

    @Test("replaying items on several tasks gives each item's course as one task does", arguments: [1, 2, 3, 8])
    func lanes(lanes: Int) async throws {
        var points: [UUID: [HistoryPoint]] = [:]
        for seed in UInt64(1)...7 { points[Self.id(Int(seed))] = Self.history(item: Self.id(Int(seed)), seed: seed, measures: 6) }
        let start = try #require(Day.start(of: "2018-01-01"))
        let courses = await HistoryReplay.courses(points, from: start, lanes: lanes)
        #expect(courses.count == points.count)
        for (item, history) in points {
            #expect(courses[item] == HistoryReplay.course(item: item, history, from: start))
        }
    }
}
