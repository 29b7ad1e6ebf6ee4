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

    /// Children's shares taken one by one, in order: what their parent follows from them.
    /// The one place of the roll-up rule (docs/methods.md): progress is the weighted mean of
    /// the children's progress, dropped children left out, a child without a weight counting
    /// with weight 1 (so with no weights at all it is the plain mean); the status is dropped
    /// when all are dropped, else done when the others are all done, planned when they are
    /// all planned, and in progress for any other mix.
    public struct ChildShares: Sendable {
        /// Whether any child was taken.
        public private(set) var isEmpty = true
        private var counted = 0
        private var allDone = true
        private var allPlanned = true
        private var weights = 0.0
        private var weighted = 0.0

        public init() {}

        public mutating func add(_ share: Share) {
            isEmpty = false
            guard share.status != .dropped else { return }
            counted += 1
            allDone = allDone && share.status == .done
            allPlanned = allPlanned && share.status == .planned
            // Two sums in the children's order: the same additions as summing each alone.
            weights += share.weight ?? 1
            weighted += share.progress * (share.weight ?? 1)
        }

        /// Nil when no child counts (none, or all dropped).
        public var progress: Double? { counted == 0 ? nil : weighted / weights }

        /// Nil when there are no children.
        public var status: ImplementationStatus? {
            if isEmpty { return nil }
            if counted == 0 { return .dropped }
            if allDone { return .done }
            if allPlanned { return .planned }
            return .inProgress
        }
    }

    /// The progress of a parent (`ChildShares`); nil when no child counts.
    public static func progress(of children: [Share]) -> Double? {
        var taken = ChildShares()
        for child in children { taken.add(child) }
        return taken.progress
    }

    /// The status a parent follows from its children (`ChildShares`); nil without children.
    public static func status(of children: [ImplementationStatus]) -> ImplementationStatus? {
        var taken = ChildShares()
        for child in children { taken.add(Share(progress: 0, status: child, weight: nil)) }
        return taken.status
    }

    /// What an item or measure shows, given its own state and its (already rolled-up) children.
    public static func shown(own: RecordedState, children: [Share])
        -> (status: ImplementationStatus, statusSource: StatusSource, progress: Double, progressSource: ProgressSource) {
        var taken = ChildShares()
        for child in children { taken.add(child) }
        return shown(own: own, children: taken)
    }

    /// As above, with the children already tallied.
    public static func shown(own: RecordedState, children: ChildShares)
        -> (status: ImplementationStatus, statusSource: StatusSource, progress: Double, progressSource: ProgressSource) {
        guard !children.isEmpty else { return (own.status, .explicit, Double(own.progress), .own) }
        let status = own.statusExplicit ? own.status : (children.status ?? own.status)
        // All children dropped: nothing counts, so nothing is done.
        let progress = children.progress ?? 0
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

    /// What an item shows given its own state, the shape of its measures and each one's
    /// state by id, without building the trees (the history replay computes this after
    /// every change).
    public static func rollUp(own: RecordedState, shape: Shape, states: [UUID: RecordedState])
        -> (status: ImplementationStatus, progress: Double) {
        let shown = Self.shown(own: own, children: shape.childShares(shape.roots, of: shape.shares(states)))
        return (shown.status, shown.progress)
    }

    /// Who hangs under whom among an item's live measures, siblings in the order the
    /// dictionary holds them; a measure whose parent is archived or unknown hangs nowhere. It
    /// depends only on which measures there are, their parents and whether they are
    /// archived: the history replay keeps it while a change touches none of these.
    public struct Shape: Sendable, Equatable {
        /// Each live measure, by node number.
        var ids: [UUID] = []
        /// The node numbers below each node, and at the top.
        var children: [[Int]] = []
        var roots: [Int] = []
        /// The nodes reachable from the top, each after the nodes below it.
        var bottomUp: [Int] = []

        public init(_ states: [UUID: RecordedState]) {
            var node: [UUID: Int] = [:]
            for (id, state) in states where !state.archived {
                node[id] = ids.count
                ids.append(id)
            }
            children = Array(repeating: [], count: ids.count)
            for (id, state) in states where !state.archived {
                guard let index = node[id] else { continue }
                if let parent = state.parentId {
                    // Under a parent that is not live: not shown, and nothing below it either.
                    if let above = node[parent] { children[above].append(index) }
                } else {
                    roots.append(index)
                }
            }
            // Every node has one parent, so from the top this walks trees, never a cycle.
            let below = children
            var order: [Int] = []
            func visit(_ node: Int) {
                for child in below[node] { visit(child) }
                order.append(node)
            }
            for root in roots { visit(root) }
            bottomUp = order
        }

        /// What each measure shows as its parent counts it, by node number (nil: hanging
        /// nowhere, or without a state in `states`), rolled up from the bottom.
        func shares(_ states: [UUID: RecordedState]) -> [Share?] {
            var shares = [Share?](repeating: nil, count: ids.count)
            for node in bottomUp {
                guard let state = states[ids[node]] else { continue }
                let shown = MeasureTree.shown(own: state, children: childShares(children[node], of: shares))
                shares[node] = Share(progress: shown.progress, status: shown.status, weight: state.weight)
            }
            return shares
        }

        /// The shares of `nodes` that have one, in order.
        func childShares(_ nodes: [Int], of shares: [Share?]) -> ChildShares {
            var taken = ChildShares()
            for node in nodes { if let share = shares[node] { taken.add(share) } }
            return taken
        }

        /// Each shown measure's status, from `shares`.
        func statuses(_ shares: [Share?]) -> [UUID: ImplementationStatus] {
            var statuses: [UUID: ImplementationStatus] = [:]
            for node in bottomUp { if let share = shares[node] { statuses[ids[node]] = share.status } }
            return statuses
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
