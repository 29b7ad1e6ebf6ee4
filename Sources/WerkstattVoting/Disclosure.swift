/// Which per-group figures may be shown without letting anyone derive fewer than k
/// ballots (domain.md, "Rules that protect people and data"): the one place this rule
/// lives. Rankings, exports, reports and thesis stance counts all go through it.
///
/// The published entries are the shown groups, each on its own, and one pool of further
/// groups; together they cover every group that voted, or nothing is shown at all. Every
/// entry covers at least k ballots, so any union of entries does, and so does the total
/// minus any union (it is the union of the other entries). Per-group figures are treated
/// as if they added up to the total, which is the worst case: for dot and approval they do.
///
/// How it is decided, for ballots per group c and k:
/// 1. Groups with c ≥ k are shown; groups with 0 < c < k go to the pool.
/// 2. While the pool is not empty and covers fewer than k ballots, the smallest shown
///    group (the later one in group order on a tie) joins it.
/// 3. A pool that ends up holding every group is the total itself: nothing is shown per
///    group, and every group is withheld.
public struct Disclosure: Sendable, Hashable, Codable {
    /// k, the workshop's `min_group_size`; 1 shows every group.
    public var minGroupSize: Int
    /// Groups shown on their own, in group order.
    public var shown: [StakeholderGroup]
    /// Groups shown together as `further_groups`, in group order; empty for no pool.
    public var pooled: [StakeholderGroup]
    /// Groups whose figures are shown nowhere, not even pooled, in group order.
    public var withheld: [StakeholderGroup]

    /// The key of the pooled entry in `by_group`.
    public static let furtherGroupsKey = "further_groups"

    /// Decides what may be shown of groups with these ballot (or stance) counts.
    public init(counts: [StakeholderGroup: Int], minGroupSize k: Int) {
        minGroupSize = k
        func count(_ group: StakeholderGroup) -> Int { counts[group, default: 0] }
        let voting = StakeholderGroup.allCases.filter { count($0) > 0 }
        var shown = voting.filter { count($0) >= k }
        var pool = voting.filter { count($0) < k }
        func covered(_ groups: [StakeholderGroup]) -> Int { groups.reduce(0) { $0 + count($1) } }
        while !pool.isEmpty, covered(pool) < k, let smallest = shown.indices.min(by: { a, b in
            let (ca, cb) = (count(shown[a]), count(shown[b]))
            return ca != cb ? ca < cb : a > b
        }) {
            pool.append(shown.remove(at: smallest))
        }
        pool.sort()
        if shown.isEmpty {
            (self.shown, pooled, withheld) = ([], [], pool)
        } else {
            (self.shown, pooled, withheld) = (shown, pool, [])
        }
    }

    /// What `withheld_groups` names: every group that voted but is not shown on its own.
    public var undisclosed: [StakeholderGroup] { (pooled + withheld).sorted() }

    /// The groups behind each entry a per-group figure is computed over, in a fixed order:
    /// the shown groups one by one, then the pool, then the withheld groups together.
    /// Figures that combine groups (consensus, controversy) are computed over these, so
    /// that they too never rest on fewer than k ballots of one group.
    public var entries: [[StakeholderGroup]] {
        shown.map { [$0] } + (pooled.isEmpty ? [] : [pooled]) + (withheld.isEmpty ? [] : [withheld])
    }
}
