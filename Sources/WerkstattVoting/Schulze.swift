/// The Schulze method with winning votes.
///
/// d[x][y] is the (weighted) number of ballots ranking x above y. A link x→y has strength
/// d[x][y] when d[x][y] > d[y][x], else 0. p[x][y] is the strength of the strongest path
/// (the maximum over paths of the weakest link). x beats y when p[x][y] > p[y][x]; an item's
/// Schulze score is the number of others it beats.
public enum Schulze {
    /// Strongest path strengths from a flat, row-major n × n pairwise matrix `d`
    /// (`d[x * n + y]`); the diagonal of `d` is ignored and 0 in the result.
    ///
    /// Floyd–Warshall "widest path" in O(n³) on one flat buffer. The inner loop has no
    /// branch (k = i and k = j cannot raise a value, see below), so it vectorises.
    public static func strongestPaths(_ d: [Double], count n: Int) -> [Double] {
        precondition(d.count == n * n, "d must be n × n")
        var p = [Double](repeating: 0, count: n * n)
        guard n > 1 else { return p }
        for x in 0..<n {
            for y in 0..<n where x != y {
                let forward = d[x * n + y], backward = d[y * n + x]
                if Tolerance.greater(forward, backward) { p[x * n + y] = forward }
            }
        }
        p.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for i in 0..<n {
                let rowI = base + i * n
                for j in 0..<n where j != i {
                    let rowJ = base + j * n
                    let pji = rowJ[i]
                    if pji == 0 { continue }
                    // k = i: min(p[j][i], p[i][i]) ≤ p[j][i], no change. k = j only touches the
                    // diagonal, which is never read as a link and is cleared below.
                    for k in 0..<n {
                        let viaI = rowI[k] < pji ? rowI[k] : pji
                        if viaI > rowJ[k] { rowJ[k] = viaI }
                    }
                }
            }
            for x in 0..<n { base[x * n + x] = 0 }
        }
        return p
    }

    /// Strongest path strengths from a nested pairwise matrix `d[x][y]`.
    public static func strongestPaths(d: [[Double]]) -> [[Double]] {
        let n = d.count
        let flat = strongestPaths(d.flatMap { row in
            precondition(row.count == n, "d must be square")
            return row
        }, count: n)
        return (0..<n).map { Array(flat[($0 * n)..<($0 * n + n)]) }
    }

    /// For each item, how many others it beats by strongest paths.
    public static func wins(paths p: [Double], count n: Int) -> [Int] {
        var wins = [Int](repeating: 0, count: n)
        for x in 0..<n {
            for y in 0..<n where x != y && Tolerance.greater(p[x * n + y], p[y * n + x]) { wins[x] += 1 }
        }
        return wins
    }

    /// For each item of a nested pairwise matrix, how many others it beats.
    public static func wins(d: [[Double]]) -> [Int] {
        let n = d.count
        return wins(paths: strongestPaths(d.flatMap { $0 }, count: n), count: n)
    }

    /// Weighted pairwise matrix from ranking ballots: x is above y on a ballot that lists x
    /// and either does not list y or lists it later, so d[x][y] = listed(x) − above(y, x).
    static func pairwise(_ agg: Aggregates, weights: [Double]) -> [Double] {
        let n = agg.n
        var d = [Double](repeating: 0, count: n * n)
        for g in 0..<Aggregates.groupCount where agg.ballots[g] > 0 && weights[g] != 0 {
            let w = weights[g]
            let listed = g * n, matrix = g * n * n
            for x in 0..<n {
                let lx = agg.sums[listed + x]
                if lx == 0 { continue }
                for y in 0..<n where y != x {
                    d[x * n + y] += w * Double(lx - agg.above[matrix + y * n + x])
                }
            }
        }
        return d
    }
}
