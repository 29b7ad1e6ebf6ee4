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
    ///   - points: each item's history up to the end of `to`, in time order, starting with
    ///     each entity's latest state before `from` (the standing at the period's start is
    ///     replayed from them). An item without any history stood as it stands now.
    public init(from: String, to: String, now: ImplementationList, points: [UUID: [HistoryPoint]]) {
        self.from = from
        self.to = to
        let start = Day.start(of: from) ?? .distantPast
        var groups: [Group] = []
        var completed: [Completion] = []
        for item in now.items {
            let history = points[item.id] ?? []
            let standing = HistoryReplay.standing(history, before: start)
            let then: (status: ImplementationStatus, progress: Double)?
            var measuresThen: [UUID: ImplementationStatus] = [:]
            if history.isEmpty {
                then = (item.status, item.progress)
                for measure in item.allMeasures { measuresThen[measure.id] = measure.status }
            } else if let shown = standing.shown(item: item.id) {
                then = (shown.status, MeasureTree.rounded(shown.progress))
                for measure in MeasureTree.build(item: item.id, records: Array(standing.measures.values)).flatMap(\.flattened) {
                    measuresThen[measure.id] = measure.status
                }
            } else {
                then = nil
            }
            let row = Row(item: item, statusThen: then?.status, progressThen: then?.progress,
                          changes: history.filter { $0.at >= start }.count,
                          series: HistoryReplay.series(item: item.id, history, from: start))
            if let index = groups.firstIndex(where: { $0.code == item.workingGroup?.code }) {
                groups[index].rows.append(row)
            } else {
                groups.append(Group(code: item.workingGroup?.code, title: item.workingGroup?.title, rows: [row]))
            }
            if item.status == .done, then?.status != .done {
                completed.append(Completion(code: item.code, title: item.title, workingGroup: item.workingGroup?.code))
            }
            for measure in item.allMeasures where measure.status == .done && measuresThen[measure.id] != .done {
                completed.append(Completion(code: item.code, title: measure.title, workingGroup: item.workingGroup?.code))
            }
        }
        self.groups = groups.sorted { ($0.code ?? "\u{10FFFF}") < ($1.code ?? "\u{10FFFF}") }
        self.completed = completed
        overdue = OverdueEntry.entries(in: now, on: to)
        fellBehind = overdue.filter { $0.due >= from }
    }
}
