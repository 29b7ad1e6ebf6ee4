/// Ranking rounds: Schulze decides the rank, Borda is reported beside it.
///
/// Borda variant for partial rankings: with n candidates, the item at position p (0-based)
/// of a ballot's list gets n − 1 − p points, and the unlisted items share the remaining
/// places equally, each getting their average (n − 1 − k)/2 for a list of length k. This
/// matches the Schulze reading of a partial ranking (unlisted items tie below all listed)
/// and equals, per ballot, "1 for each item ranked below, ½ for each item tied". Summed with
/// weights over ballots: Borda(x) = Σ_{y ≠ x} (W + d[x][y] − d[y][x]) / 2, W = total weight.
enum RankingMethod {
    /// Weighted Borda scores from the pairwise matrix and the total ballot weight.
    static func borda(d: [Double], count n: Int, totalWeight: Double) -> [Double] {
        var borda = [Double](repeating: 0, count: n)
        for x in 0..<n {
            var s = 0.0
            for y in 0..<n where y != x { s += totalWeight + d[x * n + y] - d[y * n + x] }
            borda[x] = s / 2
        }
        return borda
    }
}
