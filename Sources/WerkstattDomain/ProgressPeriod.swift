import Foundation

/// The progress report (Fortschrittsbericht) of a period: what changed, what was completed
/// and what fell behind, per working group, with progress then and now. Pure: built from
/// the list as it stood at the period's start and end and the history in between.
public struct ProgressPeriod: Sendable {
    /// One item of the report.
    public struct Row: Sendable, Equatable {
        public var item: ImplementationItem
        /// Status and progress at the start of the period (nil: the item was not recorded yet).
        public var statusThen: ImplementationStatus?
        public var progressThen: Double?
        /// Changes recorded in the period, to the item or its measures.
        public var changes: Int
        /// Progress over the period, for the timeline.
        public var series: [HistoryReplay.Step]
    }

    /// The items of one working group (nil: items without one).
    public struct Group: Sendable, Equatable {
        public var code: String?
        public var title: String?
        public var rows: [Row]
    }

    /// An item or measure whose status became done in the period.
    public struct Completion: Sendable, Equatable {
        public var code: String
        public var title: String
        public var workingGroup: String?
    }

    public var from: String
    public var to: String
    public var groups: [Group]
    public var completed: [Completion]
    /// Overdue at the period's end with a due date inside the period.
    public var fellBehind: [OverdueEntry]
    /// Everything overdue at the period's end.
    public var overdue: [OverdueEntry]

    /// - Parameters:
    ///   - now: the list as of `to`.
    ///   - courses: the course through the period of each item with any history
    ///     (`HistoryReplay.courses`); an item without history stood as it stands now.
    ///   - overdue: everything overdue at the period's end (`OverdueEntry.entries(in: now,
    ///     on: to)`, which needs the list alone: worked out while the history is read).
    public init(from: String, to: String, now: ImplementationList, courses: [UUID: HistoryReplay.Course],
                overdue: [OverdueEntry]) {
        self.from = from
        self.to = to
        var rows: [Row] = []
        var completed: [Completion] = []
        for item in now.items {
            let course = courses[item.id]
            let then: (status: ImplementationStatus, progress: Double)?
            var measuresThen: [UUID: ImplementationStatus] = [:]
            if let course {
                // Not recorded at the start: nil, and every measure done now was completed.
                then = course.then.map { ($0.status, MeasureTree.rounded($0.progress)) }
                measuresThen = course.measuresThen
            } else {
                then = (item.status, item.progress)
                for measure in item.allMeasures { measuresThen[measure.id] = measure.status }
            }
            rows.append(Row(item: item, statusThen: then?.status, progressThen: then?.progress,
                            changes: course?.changes ?? 0, series: course?.series ?? []))
            if item.status == .done, then?.status != .done {
                completed.append(Completion(code: item.code, title: item.title, workingGroup: item.workingGroup?.code))
            }
            for measure in item.allMeasures where measure.status == .done && measuresThen[measure.id] != .done {
                completed.append(Completion(code: item.code, title: measure.title, workingGroup: item.workingGroup?.code))
            }
        }
        groups = Self.grouped(now.items).compactMap { positions in
            guard let first = positions.first.map({ now.items[$0] }) else { return nil }
            return Group(code: first.workingGroup?.code, title: first.workingGroup?.title, rows: positions.map { rows[$0] })
        }
        self.completed = completed
        self.overdue = overdue
        fellBehind = Self.fellBehind(overdue, from: from)
    }

    /// What fell behind in a period starting on `from`: overdue at its end, due inside it.
    public static func fellBehind(_ overdue: [OverdueEntry], from: String) -> [OverdueEntry] {
        overdue.filter { $0.due >= from }
    }

    /// The report's order of a list's items, as positions in it: per working group, by
    /// code (items without one last), each group's items in list order.
    public static func grouped(_ items: [ImplementationItem]) -> [[Int]] {
        var groups: [(code: String?, positions: [Int])] = []
        for (position, item) in items.enumerated() {
            if let index = groups.firstIndex(where: { $0.code == item.workingGroup?.code }) {
                groups[index].positions.append(position)
            } else {
                groups.append((item.workingGroup?.code, [position]))
            }
        }
        return groups.sorted { ($0.code ?? "\u{10FFFF}") < ($1.code ?? "\u{10FFFF}") }.map(\.positions)
    }
}
