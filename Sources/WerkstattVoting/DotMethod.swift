/// Dot voting (Punktevergabe): score = weighted sum of points.
enum DotMethod {
    /// Σ_g w_g × points_g(i), groups in ordinal order.
    static func scores(_ agg: Aggregates, weights: [Double]) -> [Double] {
        let n = agg.n
        var scores = [Double](repeating: 0, count: n)
        for g in 0..<Aggregates.groupCount where agg.ballots[g] > 0 && weights[g] != 0 {
            let w = weights[g]
            for i in 0..<n { scores[i] += w * Double(agg.sums[g * n + i]) }
        }
        return scores
    }
}
