/// Integer counts per stakeholder group from which every method's scores follow.
///
/// Counting in integers per group and weighting only at the end (eight terms in a fixed
/// group order) makes every score independent of ballot order, bit for bit: a float sum
/// over ballots would change in its last bits when ballots are permuted.
struct Aggregates: Sendable {
    let kind: Method.Kind
    /// Number of candidates.
    let n: Int
    /// Ballots per group, by ordinal.
    var ballots: [Int]
    /// `[g * n + i]`: dot: points; approval: approvals; ranking: ballots listing i.
    var sums: [Int]
    /// `[g * n + i]`: dot only: ballots giving i at least one point (empty when not tracked).
    var support: [Int]
    /// `[(g * n + i) * 6 + grade]`: score only: ballots giving i that grade.
    var grades: [Int]
    /// `[g * n * n + x * n + y]`: ranking only: ballots listing both, x above y.
    var above: [Int]

    static let groupCount = StakeholderGroup.count
    static let gradeCount = Method.grades.count

    /// Zeroed tables for `n` candidates.
    init(kind: Method.Kind, n: Int, trackSupport: Bool) {
        self.kind = kind
        self.n = n
        let G = Self.groupCount
        ballots = [Int](repeating: 0, count: G)
        sums = kind == .score ? [] : [Int](repeating: 0, count: G * n)
        support = (kind == .dot && trackSupport) ? [Int](repeating: 0, count: G * n) : []
        grades = kind == .score ? [Int](repeating: 0, count: G * n * Self.gradeCount) : []
        above = kind == .ranking ? [Int](repeating: 0, count: G * n * n) : []
    }

    /// Counts a ballot set; with `multiplicity`, ballot b counts `multiplicity[b]` times
    /// (the bootstrap's resample).
    init(counting set: BallotSet, n: Int, multiplicity: [UInt32]? = nil, trackSupport: Bool) {
        self.init(kind: set.kind, n: n, trackSupport: trackSupport)
        add(set, multiplicity: multiplicity)
    }

    /// Adds the ballots of `set` to the tables.
    mutating func add(_ set: BallotSet, multiplicity: [UInt32]?) {
        precondition(set.kind == kind)
        let count = set.count
        let n = self.n
        let kind = self.kind
        let hasSupport = !support.isEmpty
        set.groups.withUnsafeBufferPointer { G in
        set.offsets.withUnsafeBufferPointer { O in
        set.items.withUnsafeBufferPointer { I in
        set.values.withUnsafeBufferPointer { V in
        (multiplicity ?? []).withUnsafeBufferPointer { M in
        ballots.withUnsafeMutableBufferPointer { B in
        sums.withUnsafeMutableBufferPointer { S in
        support.withUnsafeMutableBufferPointer { SU in
        grades.withUnsafeMutableBufferPointer { GR in
        above.withUnsafeMutableBufferPointer { AB in
            let weighted = multiplicity != nil
            for b in 0..<count {
                let c = weighted ? Int(M[b]) : 1
                if c == 0 { continue }
                let g = Int(G[b])
                B[g] += c
                let start = Int(O[b]), end = Int(O[b + 1])
                let base = g * n
                switch kind {
                case .dot:
                    for e in start..<end {
                        let slot = base + Int(I[e])
                        S[slot] += c * Int(V[e])
                        if hasSupport { SU[slot] += c }
                    }
                case .approval:
                    for e in start..<end { S[base + Int(I[e])] += c }
                case .score:
                    for e in start..<end { GR[(base + Int(I[e])) * Self.gradeCount + Int(V[e])] += c }
                case .ranking:
                    let matrix = g * n * n
                    for a in start..<end {
                        let x = Int(I[a])
                        S[base + x] += c
                        let row = matrix + x * n
                        var z = a + 1
                        while z < end {
                            AB[row + Int(I[z])] += c
                            z += 1
                        }
                    }
                }
            }
        }}}}}}}}}}
    }

    /// Ballots of group g that support item i (dot ≥ 1 point, approval, grade ≥ 3, listed).
    func supporters(group g: Int, item i: Int) -> Int {
        switch kind {
        case .dot: return support[g * n + i]
        case .approval, .ranking: return sums[g * n + i]
        case .score:
            let base = (g * n + i) * Self.gradeCount
            var s = 0
            for grade in Method.supportingGrade...Method.grades.upperBound { s += grades[base + grade] }
            return s
        }
    }

    /// Total number of ballots counted.
    var totalBallots: Int { ballots.reduce(0, +) }

    /// The same counts with the groups of each unit added into its first group (the
    /// others left empty). Groups under k weigh together, and evaluating their merged
    /// counts, rather than each group's with equal weights, makes every score the same to
    /// the last bit whichever pooled group cast which ballot.
    func merging(units: [[Int]]) -> Aggregates {
        var merged = self
        let n = self.n
        for unit in units where unit.count > 1 {
            let r = unit[0]
            for g in unit.dropFirst() {
                merged.ballots[r] += merged.ballots[g]
                merged.ballots[g] = 0
                func fold(_ table: inout [Int], width: Int) {
                    guard !table.isEmpty else { return }
                    for i in 0..<width {
                        table[r * width + i] += table[g * width + i]
                        table[g * width + i] = 0
                    }
                }
                fold(&merged.sums, width: n)
                fold(&merged.support, width: n)
                fold(&merged.grades, width: n * Self.gradeCount)
                fold(&merged.above, width: n * n)
            }
        }
        return merged
    }
}
