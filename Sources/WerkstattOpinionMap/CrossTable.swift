import WerkstattVoting

extension OpinionMap.CrossTable {
    /// The table of opinion groups × declared groups that shows no count of 1…k−1 and lets
    /// none be derived (docs/methods.md, "The opinion map"). `cells[row][ordinal]` counts the
    /// placed participants of opinion group `row` who declared group `ordinal`; every row
    /// total is at least k.
    init(cells: [[Int]], minGroupSize k: Int) {
        func safe(_ count: Int) -> Bool { count == 0 || count >= k }
        func total(_ group: StakeholderGroup) -> Int { cells.reduce(0) { $0 + $1[group.ordinal] } }
        let present = StakeholderGroup.allCases.filter { total($0) > 0 }
        var shown = present.filter { group in total(group) >= k && cells.allSatisfy { safe($0[group.ordinal]) } }
        var pool = present.filter { !shown.contains($0) }
        // The pool's cells are row total − shown cells, and its total is all − shown: both derivable.
        func poolIsSafe() -> Bool {
            let cellsOfPool = cells.map { row in pool.reduce(0) { $0 + row[$1.ordinal] } }
            return cellsOfPool.allSatisfy(safe) && safe(cellsOfPool.reduce(0, +))
        }
        while !poolIsSafe(), let smallest = shown.indices.min(by: { a, b in
            let (ca, cb) = (total(shown[a]), total(shown[b]))
            return ca != cb ? ca < cb : a > b
        }) {
            pool.append(shown.remove(at: smallest))
        }
        pool.sort()
        guard !shown.isEmpty else {
            // Everything pooled is the row totals themselves: no column at all.
            self.init(columns: [], counts: cells.map { _ in [] }, withheld: present)
            return
        }
        var columns = shown.map { Column(key: $0.rawValue, groups: [$0]) }
        if !pool.isEmpty { columns.append(Column(key: Disclosure.furtherGroupsKey, groups: pool)) }
        let counts = cells.map { row in
            columns.map { column in column.groups.reduce(0) { $0 + row[$1.ordinal] } }
        }
        self.init(columns: columns, counts: counts, withheld: pool)
    }
}
