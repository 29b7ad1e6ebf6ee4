import Foundation

/// A measure as stored or as it stood at some time: its id, its state, and its place in
/// creation order (siblings are listed in that order).
public struct MeasureRecord: Sendable, Equatable {
    public var id: UUID
    public var state: RecordedState
    public var order: Int

    public init(id: UUID, state: RecordedState, order: Int) {
        self.id = id; self.state = state; self.order = order
    }
}

/// Trees of measures and how progress and status roll up (docs/methods.md, "Progress of
/// measures"). Pure: the store reads states, this computes what is shown.
public enum MeasureTree {
    /// A child as its parent counts it.
    public struct Share: Sendable, Equatable {
        public var progress: Double
        public var status: ImplementationStatus
        public var weight: Double?
        public init(progress: Double, status: ImplementationStatus, weight: Double?) {
            self.progress = progress; self.status = status; self.weight = weight
        }
    }

    /// The progress of a parent: the weighted mean of its children's progress, dropped
    /// children left out. A child without a weight counts with weight 1, so with no weights
    /// at all it is the plain mean. Nil when no child counts (none, or all dropped).
    public static func progress(of children: [Share]) -> Double? {
        let counted = children.filter { $0.status != .dropped }
        guard !counted.isEmpty else { return nil }
        let total = counted.reduce(0) { $0 + ($1.weight ?? 1) }
        return counted.reduce(0) { $0 + $1.progress * ($1.weight ?? 1) } / total
    }

    /// The status a parent follows from its children: all dropped → dropped; of the others,
    /// all done → done, all planned → planned, any other mix → in progress.
    public static func status(of children: [ImplementationStatus]) -> ImplementationStatus? {
        guard !children.isEmpty else { return nil }
        let counted = children.filter { $0 != .dropped }
        if counted.isEmpty { return .dropped }
        if counted.allSatisfy({ $0 == .done }) { return .done }
        if counted.allSatisfy({ $0 == .planned }) { return .planned }
        return .inProgress
    }

    /// What an item or measure shows, given its own state and its (already rolled-up) children.
    public static func shown(own: RecordedState, children: [Share])
        -> (status: ImplementationStatus, statusSource: StatusSource, progress: Double, progressSource: ProgressSource) {
        guard !children.isEmpty else { return (own.status, .explicit, Double(own.progress), .own) }
        let status = own.statusExplicit ? own.status : (Self.status(of: children.map(\.status)) ?? own.status)
        // All children dropped: nothing counts, so nothing is done.
        let progress = Self.progress(of: children) ?? 0
        return (status, own.statusExplicit ? .explicit : .derived, progress, .measures)
    }

    /// One decimal, as progress is shown.
    public static func rounded(_ progress: Double) -> Double { (progress * 10).rounded() / 10 }

    /// The measures of one item as trees, archived ones (and anything under them) left out;
    /// siblings in creation order. Each measure's progress and status are rolled up.
    public static func build(item: UUID, records: [MeasureRecord]) -> [Measure] {
        forest(item: item, records: records).map(\.measure)
    }

    /// The shares of an item's top-level measures, for rolling the item up: exact figures,
    /// not the rounded ones shown.
    public static func shares(item: UUID, records: [MeasureRecord]) -> [Share] {
        forest(item: item, records: records).map(\.share)
    }

    /// What an item shows given its own state and its measures, without building the
    /// trees (the history replay computes this after every change).
    public static func rollUp(own: RecordedState, records: [MeasureRecord]) -> (status: ImplementationStatus, progress: Double) {
        var measures: [UUID: MeasureRecord] = [:]
        for record in records { measures[record.id] = record }
        return rollUp(own: own, shape: Shape(records), measures: measures)
    }

    /// As above, with the shape of the measures known (each measure's state by its id).
    public static func rollUp(own: RecordedState, shape: Shape, measures: [UUID: MeasureRecord])
        -> (status: ImplementationStatus, progress: Double) {
        func share(_ node: Int) -> Share? {
            guard let state = measures[shape.ids[node]]?.state else { return nil }
            let shown = Self.shown(own: state, children: shape.children[node].compactMap(share))
            return Share(progress: shown.progress, status: shown.status, weight: state.weight)
        }
        let shown = Self.shown(own: own, children: shape.roots.compactMap(share))
        return (shown.status, shown.progress)
    }

    /// Who hangs under whom among an item's live measures, siblings in the order of the
    /// records given; a measure whose parent is archived or unknown hangs nowhere. It
    /// depends only on which measures there are, their parents and whether they are
    /// archived: the history replay keeps it while a change touches none of these.
    public struct Shape: Sendable, Equatable {
        /// Each live measure, by node number.
        var ids: [UUID] = []
        /// The node numbers below each node, and at the top.
        var children: [[Int]] = []
        var roots: [Int] = []

        public init(_ records: [MeasureRecord]) {
            var node: [UUID: Int] = [:]
            for record in records where !record.state.archived {
                node[record.id] = ids.count
                ids.append(record.id)
            }
            children = Array(repeating: [], count: ids.count)
            for record in records where !record.state.archived {
                guard let index = node[record.id] else { continue }
                if let parent = record.state.parentId {
                    // Under a parent that is not live: not shown, and nothing below it either.
                    if let above = node[parent] { children[above].append(index) }
                } else {
                    roots.append(index)
                }
            }
        }

        /// Whether replacing `old` (nil: a new measure) with `new` could change the shape.
        public static func changes(from old: RecordedState?, to new: RecordedState) -> Bool {
            guard let old else { return true }
            return old.parentId != new.parentId || old.archived != new.archived
        }
    }

    static func forest(item: UUID, records: [MeasureRecord]) -> [(measure: Measure, share: Share)] {
        let live = records.filter { !$0.state.archived }
        let ids = Set(live.map(\.id))
        var children: [UUID?: [MeasureRecord]] = [:]
        for record in live.sorted(by: { $0.order < $1.order }) {
            // A measure whose parent is archived or unknown hangs nowhere and is not shown.
            if let parent = record.state.parentId, !ids.contains(parent) { continue }
            children[record.state.parentId, default: []].append(record)
        }
        var visited: Set<UUID> = []
        func node(_ record: MeasureRecord) -> (measure: Measure, share: Share) {
            visited.insert(record.id)
            let below = (children[record.id] ?? []).filter { !visited.contains($0.id) }.map(node)
            let shown = Self.shown(own: record.state, children: below.map(\.share))
            let measure = Measure(id: record.id, itemId: item, state: record.state, status: shown.status,
                                  statusSource: shown.statusSource, progress: rounded(shown.progress),
                                  progressSource: shown.progressSource, measures: below.map(\.measure))
            return (measure, Share(progress: shown.progress, status: shown.status, weight: record.state.weight))
        }
        return (children[nil] ?? []).map(node)
    }

    /// Whether hanging `measure` under `parent` would make a cycle: the new parent is the
    /// measure itself or lies below it. `parents` maps each measure of the item to its parent.
    public static func wouldCycle(moving measure: UUID, to parent: UUID?, parents: [UUID: UUID?]) -> Bool {
        var current = parent
        var seen: Set<UUID> = []
        while let id = current {
            if id == measure { return true }
            guard seen.insert(id).inserted else { return true }
            current = parents[id] ?? nil
        }
        return false
    }

    /// The measure and every live measure below it.
    public static func subtree(of measure: UUID, parents: [UUID: UUID?]) -> Set<UUID> {
        var result: Set<UUID> = [measure]
        var grew = true
        while grew {
            grew = false
            for (id, parent) in parents where !result.contains(id) {
                if let parent, result.contains(parent) { result.insert(id); grew = true }
            }
        }
        return result
    }
}
