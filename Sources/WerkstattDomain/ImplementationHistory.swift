import Foundation

/// Whether a history row is about the item itself or one of its measures.
public enum HistoryKind: String, Codable, Sendable { case item, measure }

/// One change of `GET /v1/implementation-items/{item_id}/history`: who, when, what changed,
/// and the item's or measure's full state after it.
public struct HistoryEntry: Codable, Sendable, Equatable {
    /// Who made the change, as the audit log records callers.
    public struct Actor: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case member, admin, commandLine = "command_line" }
        public var kind: Kind
        /// The member's or admin token's id; `null` for the command line.
        public var id: UUID?
        public init(kind: Kind, id: UUID?) { self.kind = kind; self.id = id }

        enum CodingKeys: String, CodingKey { case kind, id }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(id, forKey: .id)
        }
    }

    public var id: Int64
    public var at: Date
    public var kind: HistoryKind
    public var entityId: UUID
    public var action: String
    public var changed: [String]
    public var state: RecordedState
    public var note: String?
    public var by: Actor

    public init(id: Int64, at: Date, kind: HistoryKind, entityId: UUID, action: String, changed: [String],
                state: RecordedState, note: String?, by: Actor) {
        self.id = id; self.at = at; self.kind = kind; self.entityId = entityId; self.action = action
        self.changed = changed; self.state = state; self.note = note; self.by = by
    }

    enum CodingKeys: String, CodingKey {
        case id, at, kind, action, changed, state, note, by
        case entityId = "entity_id"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(at, forKey: .at); try c.encode(kind, forKey: .kind)
        try c.encode(entityId, forKey: .entityId); try c.encode(action, forKey: .action)
        try c.encode(changed, forKey: .changed); try c.encode(state, forKey: .state); try c.encode(note, forKey: .note)
        try c.encode(by, forKey: .by)
    }
}

/// A recorded state of an item or measure at a time, as the history replay reads it.
public struct HistoryPoint: Sendable, Equatable {
    public var kind: HistoryKind
    public var entityId: UUID
    public var at: Date
    /// What the replay reads of the state: parent, status (and whether set by hand),
    /// progress, weight and archived. The store leaves the rest (title, lead, timeframe,
    /// review date, milestones) empty: what the report shows of them comes from the list.
    public var state: RecordedState

    public init(kind: HistoryKind, entityId: UUID, at: Date, state: RecordedState) {
        self.kind = kind; self.entityId = entityId; self.at = at; self.state = state
    }
}

/// Rebuilds items from their history: the state as of a time, and progress over time.
public enum HistoryReplay {
    /// An item as it stood while its history is replayed: its own state and its measures'
    /// states (by id). What it shows is rolled up over the measures' shape, which needs no
    /// creation order.
    struct Standing {
        var item: RecordedState?
        var measures: [UUID: RecordedState] = [:]

        mutating func apply(_ point: HistoryPoint) {
            switch point.kind {
            case .item: item = point.state
            case .measure: measures[point.entityId] = point.state
            }
        }
    }

    /// One point of an item's progress over time.
    public struct Step: Sendable, Equatable {
        public var at: Date
        public var progress: Double
        public var status: ImplementationStatus
        public init(at: Date, progress: Double, status: ImplementationStatus) {
            self.at = at; self.progress = progress; self.status = status
        }
    }

    /// An item's course through a period, from one pass over its points.
    public struct Course: Sendable, Equatable {
        /// What the item showed at the period's start (progress unrounded); nil when it was
        /// not recorded yet.
        public var then: Step?
        /// The status each measure shown in the item's tree showed at the start.
        public var measuresThen: [UUID: ImplementationStatus]
        /// Changes recorded from the start on, to the item or its measures.
        public var changes: Int
        /// The item's shown progress and status after each change from the start on: the
        /// first step is `then`, if the item existed then. Changes recorded at the same
        /// instant count as one, and a step that shows nothing new is left out.
        public var series: [Step]
    }

    /// The item's course from `start` on (points in time order). The measures' shape is
    /// kept between instants, rebuilt only when a change adds, moves or archives a measure.
    public static func course(item id: UUID, _ points: [HistoryPoint], from start: Date) -> Course {
        var standing = Standing()
        var shape: MeasureTree.Shape?
        func apply(_ point: HistoryPoint) {
            if point.kind == .measure,
               MeasureTree.Shape.changes(from: standing.measures[point.entityId], to: point.state) { shape = nil }
            standing.apply(point)
        }
        func currentShape() -> MeasureTree.Shape {
            // Built from the measures in the order the dictionary holds them; changing a
            // measure's state in place keeps that order.
            let current = shape ?? MeasureTree.Shape(standing.measures)
            shape = current
            return current
        }
        var course = Course(then: nil, measuresThen: [:], changes: 0, series: [])
        var index = points.startIndex
        while index < points.endIndex, points[index].at < start { apply(points[index]); index += 1 }
        if let item = standing.item {
            let shape = currentShape()
            let shares = shape.shares(standing.measures)
            let shown = MeasureTree.shown(own: item, children: shape.childShares(shape.roots, of: shares))
            let then = Step(at: start, progress: shown.progress, status: shown.status)
            course.then = then
            course.measuresThen = shape.statuses(shares)
            course.series.append(then)
        }
        course.changes = points.endIndex - index
        while index < points.endIndex {
            let point = points[index]
            apply(point)
            index += 1
            if index < points.endIndex, points[index].at == point.at { continue }
            guard let item = standing.item else { continue }
            let shown = MeasureTree.rollUp(own: item, shape: currentShape(), states: standing.measures)
            if let last = course.series.last, last.progress == shown.progress, last.status == shown.status { continue }
            course.series.append(Step(at: point.at, progress: shown.progress, status: shown.status))
        }
        return course
    }

    /// The course of every item in `points` (each item's history in time order), replayed
    /// on `lanes` tasks at once: items are independent, and the replay is the largest piece
    /// of a progress report's work.
    public static func courses(_ points: [UUID: [HistoryPoint]], from start: Date,
                               lanes: Int = ProcessInfo.processInfo.activeProcessorCount) async -> [UUID: Course] {
        let items = Array(points.keys)
        let size = max(1, (items.count + max(1, lanes) - 1) / max(1, lanes))
        return await withTaskGroup(of: [UUID: Course].self) { group in
            for first in stride(from: 0, to: items.count, by: size) {
                let lane = items[first..<min(first + size, items.count)]
                group.addTask {
                    var courses: [UUID: Course] = [:]
                    for id in lane { courses[id] = course(item: id, points[id] ?? [], from: start) }
                    return courses
                }
            }
            var all: [UUID: Course] = [:]
            for await part in group { all.merge(part) { kept, _ in kept } }
            return all
        }
    }
}

/// Something past due on a day: a milestone not done, or a report past `review_due`.
public struct OverdueEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case milestone, review }

    public var itemId: UUID
    public var code: String
    public var measureId: UUID?
    /// The item's or measure's title.
    public var title: String
    public var workingGroup: String?
    public var lead: [String]
    public var kind: Kind
    /// The milestone's title (for `milestone`).
    public var milestone: String?
    public var due: String
    /// Whole days from `due` to the day of the list.
    public var daysLate: Int

    enum CodingKeys: String, CodingKey {
        case code, title, lead, kind, milestone, due
        case itemId = "item_id", measureId = "measure_id", workingGroup = "working_group", daysLate = "days_late"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(itemId, forKey: .itemId); try c.encode(code, forKey: .code); try c.encode(measureId, forKey: .measureId)
        try c.encode(title, forKey: .title); try c.encode(workingGroup, forKey: .workingGroup); try c.encode(lead, forKey: .lead)
        try c.encode(kind, forKey: .kind); try c.encode(milestone, forKey: .milestone); try c.encode(due, forKey: .due)
        try c.encode(daysLate, forKey: .daysLate)
    }

    /// Everything past due on `day` (YYYY-MM-DD): milestones due before it and not done by
    /// it, and review dates before it (a lead reports by moving `review_due` on). Dropped
    /// items and measures owe nothing. Latest first.
    public static func entries(in list: ImplementationList, on day: String) -> [OverdueEntry] {
        var entries: [OverdueEntry] = []
        // Days late per due date: the same dates recur across items and measures.
        var late: [String: Int] = [:]
        func daysLate(_ due: String) -> Int {
            if let known = late[due] { return known }
            let days = Day.between(due, day) ?? 0
            late[due] = days
            return days
        }
        func check(item: ImplementationItem, measure: Measure?) {
            let status = measure?.status ?? item.status
            guard status != .dropped else { return }
            let milestones = measure?.milestones ?? item.milestones
            let title = measure?.title ?? item.title
            let lead = measure?.lead ?? item.lead
            for milestone in milestones where milestone.due < day && (milestone.done.map { $0 > day } ?? true) {
                entries.append(OverdueEntry(itemId: item.id, code: item.code, measureId: measure?.id, title: title,
                                            workingGroup: item.workingGroup?.code, lead: lead, kind: .milestone,
                                            milestone: milestone.title, due: milestone.due,
                                            daysLate: daysLate(milestone.due)))
            }
            if let review = measure?.reviewDue ?? (measure == nil ? item.reviewDue : nil), review < day, status != .done {
                entries.append(OverdueEntry(itemId: item.id, code: item.code, measureId: measure?.id, title: title,
                                            workingGroup: item.workingGroup?.code, lead: lead, kind: .review, milestone: nil,
                                            due: review, daysLate: daysLate(review)))
            }
        }
        for item in list.items {
            check(item: item, measure: nil)
            for measure in item.allMeasures { check(item: item, measure: measure) }
        }
        return entries.sorted { ($0.daysLate, $1.code) > ($1.daysLate, $0.code) }
    }
}

/// `GET …/implementation-list?overdue=true`: what is past due on a day.
public struct OverdueList: Codable, Sendable, Equatable {
    public var workshopId: UUID
    public var day: String
    public var entries: [OverdueEntry]

    public init(workshopId: UUID, day: String, entries: [OverdueEntry]) {
        self.workshopId = workshopId; self.day = day; self.entries = entries
    }

    enum CodingKeys: String, CodingKey {
        case day, entries
        case workshopId = "workshop_id"
    }
}
