import WerkstattVoting

/// A workshop's opinion map in the style of Pol.is: who stands near whom on the theses,
/// the opinion groups that form, what sets each apart, what every group agrees with, and
/// how the opinion groups cut across the declared stakeholder groups. Pure: the same input
/// gives the same map, bit for bit (docs/methods.md, "The opinion map").
public struct OpinionMap: Sendable, Hashable, Codable {
    public static let defaultSeed: UInt64 = 0x4F50_494E_494F_4E53   // "OPINIONS"
    /// Opinion group counts k-means tries.
    public static let candidateGroupCounts: ClosedRange<Int> = 2...6

    /// A principal axis of the centred stance matrix.
    public struct Component: Sendable, Hashable, Codable {
        /// Share 0…1 of the total variance: eigenvalue / trace(XᵀX).
        public var explainedVariance: Double
        /// One per thesis; a unit vector whose largest-magnitude loading is positive.
        public var loadings: [Double]
    }

    /// A placed participant on the map.
    public struct Point: Sendable, Hashable, Codable {
        /// Index into `input.groups`.
        public var participant: Int
        public var x: Double
        public var y: Double
        /// Index into `groups`.
        public var group: Int
    }

    public enum Direction: String, Sendable, Hashable, Codable { case agree, disagree }

    /// A thesis on which a group took `direction` significantly more often than the rest.
    public struct Representative: Sendable, Hashable, Codable {
        public var thesis: Int
        public var direction: Direction
        /// (votes + 1) / (seen + 2) in the group, and likewise over the rest of the placed participants.
        public var groupRate: Double
        public var restRate: Double
        /// Members of the group who took `direction`, and who took any stance on the thesis.
        public var groupVotes: Int
        public var groupSeen: Int
        public var z: Double
        /// One-sided, from the normal distribution.
        public var pValue: Double
    }

    /// An opinion group: at least k placed participants.
    public struct Group: Sendable, Hashable, Codable {
        public var size: Int
        /// x, y: the mean of its members' points.
        public var centroid: [Double]
        /// At most five, strongest first.
        public var representative: [Representative]
    }

    /// Group-informed consensus of a thesis: Π over opinion groups of (agree + 1) / (size + 2).
    public struct Consensus: Sendable, Hashable, Codable {
        public var thesis: Int
        public var value: Double
    }

    /// Stance counts of a thesis over all participants, placed or not.
    public struct ThesisVotes: Sendable, Hashable, Codable {
        public var thesis: Int
        public var agree: Int
        public var disagree: Int
        public var pass: Int
    }

    /// Opinion groups × declared stakeholder groups, with no figure of 1…k−1 shown or derivable.
    public struct CrossTable: Sendable, Hashable, Codable {
        public struct Column: Sendable, Hashable, Codable {
            /// A group's raw value, or `further_groups` for the pool.
            public var key: String
            public var groups: [StakeholderGroup]
        }
        public var columns: [Column]
        /// [opinion group][column] participant counts.
        public var counts: [[Int]]
        /// Declared groups (of placed participants) not shown in a column of their own, sorted.
        public var withheld: [StakeholderGroup]
    }

    /// Participants with at least one stance.
    public var participants: Int
    /// Participants with at least `minStances` stances.
    public var placed: Int
    /// Placed participants needed for any map: 2 × minGroupSize.
    public var needed: Int
    /// Two, or none when the map is insufficient.
    public var components: [Component]
    /// Placed participants in participant order; empty when insufficient.
    public var points: [Point]
    /// By size descending, then centroid x, then y.
    public var groups: [Group]
    /// Mean silhouette per group count whose clustering was admissible.
    public var silhouettes: [Int: Double]
    /// Every thesis, by value descending, ties by thesis index.
    public var consensus: [Consensus]
    /// Every thesis, in index order.
    public var thesisVotes: [ThesisVotes]
    public var crossTable: CrossTable
    /// Subspace iterations the components took (at most 500); 0 when no components were computed.
    public var iterations: Int

    public var isSufficient: Bool { !components.isEmpty }

    /// Computes the map; throws `OpinionInputError` for malformed input and
    /// `CancellationError` once the calling task is cancelled (checked in every loop that
    /// can run long), so a computation abandoned at its deadline stops using the CPU.
    public static func compute(_ input: OpinionInput) throws -> OpinionMap {
        guard input.minStances >= 1 else { throw OpinionInputError.minStancesBelowOne(input.minStances) }
        guard input.minGroupSize >= 1 else { throw OpinionInputError.minGroupSizeBelowOne(input.minGroupSize) }
        let table = try StanceTable(input)
        return try compute(input, table: table, checkingCancellation: { () throws(CancellationError) in
            if Task.isCancelled { throw CancellationError() }
        })
    }

    static func compute(_ input: OpinionInput, table: StanceTable,
                        checkingCancellation check: () throws(CancellationError) -> Void) throws(CancellationError) -> OpinionMap {
        var map = try unsorted(input, table: table, checkingCancellation: check)
        map.consensus.sort { $0.value != $1.value ? $0.value > $1.value : $0.thesis < $1.thesis }
        return map
    }

    /// The map with its consensus still in thesis order.
    static func unsorted(_ input: OpinionInput, table: StanceTable,
                        checkingCancellation check: () throws(CancellationError) -> Void) throws(CancellationError) -> OpinionMap {
        let k = input.minGroupSize
        let everyone = (0..<table.participants).filter { table.count(of: $0) > 0 }
        let placed = everyone.filter { table.count(of: $0) >= input.minStances }
        let votes = thesisVotes(table)
        var map = OpinionMap(
            participants: everyone.count, placed: placed.count, needed: k > Int.max / 2 ? Int.max : 2 * k,
            components: [], points: [], groups: [], silhouettes: [:], consensus: [], thesisVotes: votes,
            crossTable: CrossTable(columns: [], counts: [], withheld: []), iterations: 0)

        // Without an opinion map, everyone with a stance is one group.
        map.consensus = votes.map { Consensus(thesis: $0.thesis, value: Double($0.agree + 1) / Double(everyone.count + 2)) }
        map.crossTable.withheld = StakeholderGroup.allCases.filter { group in placed.contains { input.groups[$0] == group } }

        guard placed.count >= map.needed else { return map }
        let matrix = CentredMatrix(table, placed: placed)
        guard matrix.variedColumns >= 2 else { return map }
        let pca = try PrincipalComponents.compute(matrix, seed: input.seed, checkingCancellation: check)
        let points = project(matrix, table: table, placed: placed, loadings: pca.loadings)

        // k-means for each group count that could give every group k members.
        var admissible: [Clustering] = []
        for g in candidateGroupCounts where placed.count / g >= k {
            var random = SplitMix64(seed: input.seed ^ (0x4B4D_4541_4E53_0000 | UInt64(g)))   // "KMEANS", g
            let clustering = try KMeans.cluster(points, groups: g, random: &random, checkingCancellation: check)
            if clustering.sizes.allSatisfy({ $0 >= k }) { admissible.append(clustering) }
        }
        let sample = Silhouette.sample(count: points.count, seed: input.seed)
        let silhouettes = try Silhouette.means(points, admissible, sample: sample, checkingCancellation: check)
        // The highest silhouette; on a tie the fewer groups, which come first.
        var chosen: Int?
        for c in admissible.indices where chosen.map({ silhouettes[c] > silhouettes[$0] }) ?? true { chosen = c }
        guard let chosen else { return map }
        let clustering = admissible[chosen]

        // Groups by size descending, then centroid x, then y (then k-means's own order).
        let order = (0..<clustering.groups).sorted { a, b in
            let (ca, cb) = (clustering.centroids[a], clustering.centroids[b])
            if clustering.sizes[a] != clustering.sizes[b] { return clustering.sizes[a] > clustering.sizes[b] }
            if ca.x != cb.x { return ca.x < cb.x }
            if ca.y != cb.y { return ca.y < cb.y }
            return a < b
        }
        var rank = [Int](repeating: 0, count: clustering.groups)
        for (position, c) in order.enumerated() { rank[c] = position }
        let membership = clustering.assignment.map { rank[$0] }

        // X has two varied columns, so its trace is positive; `min` only guards rounding.
        map.components = (0..<2).map {
            Component(explainedVariance: min(1, pca.eigenvalues[$0] / matrix.sumOfSquares), loadings: pca.loadings[$0])
        }
        map.iterations = pca.iterations
        map.points = placed.indices.map { Point(participant: placed[$0], x: points.x[$0], y: points.y[$0], group: membership[$0]) }
        for (c, g) in admissible.enumerated() { map.silhouettes[g.groups] = silhouettes[c] }

        let (counts, totals) = groupCounts(table, placed: placed, membership: membership, groups: clustering.groups)
        map.groups = order.enumerated().map { position, c in
            Group(size: clustering.sizes[c], centroid: [clustering.centroids[c].x, clustering.centroids[c].y],
                  representative: Representatives.of(group: position, counts: counts, totals: totals,
                                                     minimumSeen: input.minGroupSize))
        }
        map.consensus = (0..<table.theses).map { t in
            var value = 1.0
            for g in map.groups.indices {
                value *= Double(counts.agree[g * table.theses + t] + 1) / Double(map.groups[g].size + 2)
            }
            return Consensus(thesis: t, value: value)
        }
        var cells = [[Int]](repeating: [Int](repeating: 0, count: StakeholderGroup.count), count: map.groups.count)
        for (i, p) in placed.enumerated() { cells[membership[i]][input.groups[p].ordinal] += 1 }
        map.crossTable = CrossTable(cells: cells, minGroupSize: k)
        return map
    }

    /// Agree, disagree and pass per thesis over every stance.
    static func thesisVotes(_ table: StanceTable) -> [ThesisVotes] {
        var votes = (0..<table.theses).map { ThesisVotes(thesis: $0, agree: 0, disagree: 0, pass: 0) }
        for entry in table.entries {
            let t = StanceTable.thesis(entry)
            switch StanceTable.vote(entry) {
            case 1: votes[t].agree += 1
            case -1: votes[t].disagree += 1
            default: votes[t].pass += 1
            }
        }
        return votes
    }

    /// Each placed participant's row of X on the two components, scaled by √(m / mᵢ):
    /// m theses with any stance of a placed participant, mᵢ the participant's stances.
    static func project(_ matrix: CentredMatrix, table: StanceTable, placed: [Int], loadings: [[Double]]) -> PlanePoints {
        var seen = [Bool](repeating: false, count: table.theses)
        for p in placed {
            for e in table.rowStart[p]..<table.rowStart[p + 1] { seen[StanceTable.thesis(table.entries[e])] = true }
        }
        let m = Double(seen.filter { $0 }.count)
        var v = [Double](repeating: 0, count: 2 * table.theses)
        for j in 0..<table.theses { v[2 * j] = loadings[0][j]; v[2 * j + 1] = loadings[1][j] }
        var u = [Double](repeating: 0, count: 2 * placed.count)
        matrix.multiply(v, into: &u)
        var points = PlanePoints(x: [], y: [])
        points.x.reserveCapacity(placed.count)
        points.y.reserveCapacity(placed.count)
        for (i, p) in placed.enumerated() {
            // A placed participant has at least one stance, so mᵢ ≥ 1.
            let scale = (m / Double(table.count(of: p))).squareRoot()
            points.x.append(u[2 * i] * scale)
            points.y.append(u[2 * i + 1] * scale)
        }
        return points
    }

    /// Stance counts per opinion group and thesis, and over all placed participants (one group).
    static func groupCounts(_ table: StanceTable, placed: [Int], membership: [Int], groups: Int) -> (GroupCounts, GroupCounts) {
        var counts = GroupCounts(groups: groups, theses: table.theses)
        var totals = GroupCounts(groups: 1, theses: table.theses)
        for (i, p) in placed.enumerated() {
            let base = membership[i] * table.theses
            for e in table.rowStart[p]..<table.rowStart[p + 1] {
                let t = StanceTable.thesis(table.entries[e])
                counts.seen[base + t] += 1
                totals.seen[t] += 1
                switch StanceTable.vote(table.entries[e]) {
                case 1: counts.agree[base + t] += 1; totals.agree[t] += 1
                case -1: counts.disagree[base + t] += 1; totals.disagree[t] += 1
                default: break
                }
            }
        }
        return (counts, totals)
    }
}
