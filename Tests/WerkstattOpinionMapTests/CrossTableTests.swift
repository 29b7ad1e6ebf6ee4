import Testing
import WerkstattVoting
@testable import WerkstattOpinionMap

@Suite("Cross-table")
struct CrossTableTests {
    /// Every figure a reader has or can derive: the cells, the row totals (group sizes, shown
    /// on the map) minus any shown cells, the column totals and everyone minus them.
    static func checkNothingUnderK(_ table: OpinionMap.CrossTable, cells: [[Int]], k: Int) {
        func safe(_ n: Int) -> Bool { n == 0 || n >= k }
        let shown = table.columns.filter { $0.key != Disclosure.furtherGroupsKey }.flatMap(\.groups)
        #expect(table.columns.allSatisfy { $0.key == Disclosure.furtherGroupsKey || $0.groups.count == 1 })
        #expect(table.counts.count == cells.count)
        let all = cells.reduce(0) { $0 + $1.reduce(0, +) }
        var shownTotal = 0
        for (r, row) in cells.enumerated() {
            let rowTotal = row.reduce(0, +)
            #expect(rowTotal >= k)
            #expect(table.counts[r].allSatisfy(safe))
            let rest = rowTotal - shown.reduce(0) { $0 + row[$1.ordinal] }
            #expect(safe(rest), "row total minus shown cells")
            shownTotal += shown.reduce(0) { $0 + row[$1.ordinal] }
        }
        for c in table.columns.indices { #expect(safe(table.counts.reduce(0) { $0 + $1[c] })) }
        #expect(safe(all - shownTotal), "everyone minus the shown columns")
        let present = StakeholderGroup.allCases.filter { g in cells.contains { $0[g.ordinal] > 0 } }
        #expect(table.withheld == present.filter { !shown.contains($0) })
    }

    static func cells(_ rows: [[StakeholderGroup: Int]]) -> [[Int]] {
        rows.map { row in StakeholderGroup.allCases.map { row[$0, default: 0] } }
    }

    @Test("The worked example of docs/methods.md: politics, then science join the pool")
    func workedExample() {
        let cells = Self.cells([
            [.industry: 3, .science: 3, .union: 1, .administration: 1],
            [.industry: 4, .politics: 3],
        ])
        let table = OpinionMap.CrossTable(cells: cells, minGroupSize: 3)
        #expect(table.columns.map(\.key) == ["industry", "further_groups"])
        #expect(table.columns[1].groups == [.science, .union, .politics, .administration])
        #expect(table.counts == [[3, 5], [4, 3]])
        #expect(table.withheld == [.science, .union, .politics, .administration])
        Self.checkNothingUnderK(table, cells: cells, k: 3)
    }

    @Test("A declared group with one participant is never shown alone, in a real map")
    func groupOfOne() throws {
        var w = SyntheticWorkshop(participants: 200, theses: 20, density: 0.7, minGroupSize: 5, seed: 6)
        w.input.groups = w.input.groups.map { $0 == .union ? .science : $0 }
        w.input.groups[17] = .union
        let map = try OpinionMap.compute(w.input)
        #expect(map.isSufficient)
        let table = map.crossTable
        #expect(!table.columns.contains { $0.key == "union" })
        #expect(table.withheld.contains(.union))
        var cells = [[Int]](repeating: [Int](repeating: 0, count: StakeholderGroup.count), count: map.groups.count)
        for p in map.points { cells[p.group][w.input.groups[p.participant].ordinal] += 1 }
        Self.checkNothingUnderK(table, cells: cells, k: 5)
    }

    @Test("Nothing shown when the pool cannot be made safe")
    func everythingPooled() {
        // k = 3. Industry 3/3 and science 3/0 are safe alone, but union 1 and politics 1 in
        // row two leave a pool cell of 2 until both have joined, and then nothing is left.
        let cells = Self.cells([[.industry: 3, .science: 3], [.industry: 3, .union: 1, .politics: 1]])
        let table = OpinionMap.CrossTable(cells: cells, minGroupSize: 3)
        #expect(table.columns.isEmpty && table.counts == [[], []])
        #expect(table.withheld == [.industry, .science, .union, .politics])
    }

    @Test("Property: random tables never show or let anyone derive 1…k−1")
    func property() {
        var random = Xoshiro256StarStar(seed: 77)
        for _ in 0..<5_000 {
            let k = 2 + Int(random.next(below: 9))
            let rows = 1 + Int(random.next(below: 6))
            var cells: [[Int]] = []
            for _ in 0..<rows {
                var row = StakeholderGroup.allCases.map { _ -> Int in
                    switch random.next(below: 4) {
                    case 0: 0
                    case 1: k
                    default: Int(random.next(below: UInt64(2 * k)))
                    }
                }
                // Opinion groups hold at least k people.
                let short = k - row.reduce(0, +)
                if short > 0 { row[Int(random.next(below: 8))] += short }
                cells.append(row)
            }
            let table = OpinionMap.CrossTable(cells: cells, minGroupSize: k)
            Self.checkNothingUnderK(table, cells: cells, k: k)
        }
    }
}
