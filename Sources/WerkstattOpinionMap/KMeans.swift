import WerkstattVoting

/// Points in the plane, as two arrays (the loops read them in order).
struct PlanePoints {
    var x: [Double]
    var y: [Double]
    var count: Int { x.count }

    func squaredDistance(_ i: Int, _ cx: Double, _ cy: Double) -> Double {
        let dx = x[i] - cx, dy = y[i] - cy
        return dx * dx + dy * dy
    }
}

/// A partition of the points into `groups` clusters.
struct Clustering: Equatable {
    /// Cluster of each point, 0..<groups.
    var assignment: [Int]
    var centroids: [(x: Double, y: Double)]
    var sizes: [Int]
    /// Within-cluster sum of squared distances to the centroids.
    var withinSS: Double

    var groups: Int { sizes.count }

    static func == (a: Clustering, b: Clustering) -> Bool {
        a.assignment == b.assignment && a.sizes == b.sizes && a.withinSS == b.withinSS
            && a.centroids.elementsEqual(b.centroids) { $0.x == $1.x && $0.y == $1.y }
    }
}

/// k-means: k-means++ starts, Lloyd iterations, the best of a few restarts.
enum KMeans {
    static let restarts = 10
    static let maxIterations = 100

    /// The restart with the least within-cluster sum of squares (the earlier one on a tie).
    static func cluster(_ points: PlanePoints, groups g: Int, random: inout SplitMix64,
                        checkingCancellation check: () throws(CancellationError) -> Void) throws(CancellationError) -> Clustering {
        precondition(g >= 1 && points.count >= g)
        try check()
        var best = lloyd(points, centres: plusPlus(points, groups: g, random: &random))
        for _ in 1..<restarts {
            try check()
            let candidate = lloyd(points, centres: plusPlus(points, groups: g, random: &random))
            if candidate.withinSS < best.withinSS { best = candidate }
        }
        return best
    }

    /// k-means++ (Arthur, Vassilvitskii): the first centre uniformly at random, each further
    /// one with probability proportional to its squared distance from the nearest centre.
    static func plusPlus(_ points: PlanePoints, groups g: Int, random: inout SplitMix64) -> [(x: Double, y: Double)] {
        let n = points.count
        let first = random.index(below: n)
        var centres = [(x: points.x[first], y: points.y[first])]
        var nearest = (0..<n).map { points.squaredDistance($0, centres[0].x, centres[0].y) }
        while centres.count < g {
            let total = nearest.reduce(0, +)
            var pick = 0
            if total > 0 {
                // The first point whose cumulative weight passes the target.
                let target = random.unit() * total
                var running = 0.0
                pick = -1
                for i in 0..<n where nearest[i] > 0 {
                    running += nearest[i]
                    pick = i
                    if running > target { break }
                }
            } else {
                // Every point sits on a centre already: any point will do.
                pick = random.index(below: n)
            }
            centres.append((x: points.x[pick], y: points.y[pick]))
            for i in 0..<n {
                nearest[i] = min(nearest[i], points.squaredDistance(i, points.x[pick], points.y[pick]))
            }
        }
        return centres
    }

    /// Lloyd's iterations: assign each point to its nearest centre (the lower one on a
    /// tie), move each centre to its points' mean, until no assignment changes.
    static func lloyd(_ points: PlanePoints, centres start: [(x: Double, y: Double)]) -> Clustering {
        let n = points.count, g = start.count
        var centres = start
        var assignment = [Int](repeating: -1, count: n)
        for _ in 0..<maxIterations {
            var changed = false
            points.x.withUnsafeBufferPointer { x in
                points.y.withUnsafeBufferPointer { y in
                    assignment.withUnsafeMutableBufferPointer { assignment in
                        for i in 0..<n {
                            var nearest = 0
                            var distance = Double.infinity
                            for c in 0..<g {
                                let dx = x[i] - centres[c].x, dy = y[i] - centres[c].y
                                let d = dx * dx + dy * dy
                                if d < distance { (nearest, distance) = (c, d) }
                            }
                            if assignment[i] != nearest { assignment[i] = nearest; changed = true }
                        }
                    }
                }
            }
            if !changed { break }
            centres = means(points, assignment, old: centres)
        }
        centres = means(points, assignment, old: centres)
        var sizes = [Int](repeating: 0, count: g)
        var withinSS = 0.0
        for i in 0..<n {
            sizes[assignment[i]] += 1
            withinSS += points.squaredDistance(i, centres[assignment[i]].x, centres[assignment[i]].y)
        }
        return Clustering(assignment: assignment, centroids: centres, sizes: sizes, withinSS: withinSS)
    }

    /// The mean of each cluster's points; an empty cluster keeps its old centre.
    static func means(_ points: PlanePoints, _ assignment: [Int], old: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        var sx = [Double](repeating: 0, count: old.count), sy = sx
        var count = [Int](repeating: 0, count: old.count)
        for i in 0..<points.count {
            let c = assignment[i]
            sx[c] += points.x[i]; sy[c] += points.y[i]; count[c] += 1
        }
        return old.indices.map { c in
            count[c] > 0 ? (x: sx[c] / Double(count[c]), y: sy[c] / Double(count[c])) : old[c]
        }
    }
}

/// The mean silhouette of clusterings of the same points (Rousseeuw 1987).
enum Silhouette {
    /// Above this many points the mean is taken over a seeded sample of this many.
    static let sampleSize = 2_000

    /// Which points the mean is taken over: all of them, or `sampleSize` drawn without
    /// replacement (a partial Fisher–Yates shuffle), in ascending order.
    static func sample(count n: Int, seed: UInt64) -> [Int] {
        guard n > sampleSize else { return Array(0..<n) }
        var random = SplitMix64(seed: seed ^ 0x5349_4C48_4F55_4554)   // "SILHOUET"
        var order = Array(0..<n)
        for i in 0..<sampleSize { order.swapAt(i, i + random.index(below: n - i)) }
        return order[0..<sampleSize].sorted()
    }

    /// For each clustering the mean over `sample` of s(i) = (b − a) / max(a, b), where a is
    /// i's mean distance to the other points of its cluster and b the least mean distance
    /// to the points of another cluster; s(i) = 0 in a cluster of one. Each sampled point
    /// is measured against all points; the distances are computed once for all clusterings.
    static func means(_ points: PlanePoints, _ clusterings: [Clustering], sample: [Int],
                      checkingCancellation check: () throws(CancellationError) -> Void) throws(CancellationError) -> [Double] {
        let n = points.count
        var distance = [Double](repeating: 0, count: n)
        var sums = [Double](repeating: 0, count: clusterings.map(\.groups).max() ?? 0)
        var totals = [Double](repeating: 0, count: clusterings.count)
        for (done, i) in sample.enumerated() {
            if done % 64 == 0 { try check() }
            let (xi, yi) = (points.x[i], points.y[i])
            points.x.withUnsafeBufferPointer { x in
                points.y.withUnsafeBufferPointer { y in
                    distance.withUnsafeMutableBufferPointer { distance in
                        for j in 0..<n {
                            let dx = x[j] - xi, dy = y[j] - yi
                            distance[j] = (dx * dx + dy * dy).squareRoot()
                        }
                    }
                }
            }
            for (k, clustering) in clusterings.enumerated() {
                clustering.assignment.withUnsafeBufferPointer { assignment in
                    distance.withUnsafeBufferPointer { distance in
                        sums.withUnsafeMutableBufferPointer { sums in
                            for c in 0..<sums.count { sums[c] = 0 }
                            for j in 0..<n { sums[assignment[j]] += distance[j] }
                        }
                    }
                }
                totals[k] += value(of: i, in: clustering, sums: sums)
            }
        }
        return totals.map { sample.isEmpty ? 0 : $0 / Double(sample.count) }
    }

    static func value(of i: Int, in clustering: Clustering, sums: [Double]) -> Double {
        let own = clustering.assignment[i]
        guard clustering.sizes[own] > 1 else { return 0 }
        let a = sums[own] / Double(clustering.sizes[own] - 1)
        var b = Double.infinity
        for c in 0..<clustering.groups where c != own && clustering.sizes[c] > 0 {
            b = min(b, sums[c] / Double(clustering.sizes[c]))
        }
        guard b.isFinite else { return 0 }
        let scale = max(a, b)
        return scale > 0 ? (b - a) / scale : 0
    }
}
