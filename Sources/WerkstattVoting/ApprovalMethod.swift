/// Approval voting: score = weighted share of ballots approving the item (0...1).
enum ApprovalMethod {
    /// Σ_g w_g × approvals_g(i) / Σ_g w_g × ballots_g; 0 when no ballot carries weight.
    static func scores(_ agg: Aggregates, weights: [Double]) -> [Double] {
        let n = agg.n
        var approvals = [Double](repeating: 0, count: n)
        var total = 0.0
        for g in 0..<Aggregates.groupCount where agg.ballots[g] > 0 && weights[g] != 0 {
            let w = weights[g]
            total += w * Double(agg.ballots[g])
            for i in 0..<n { approvals[i] += w * Double(agg.sums[g * n + i]) }
        }
        guard total > 0 else { return [Double](repeating: 0, count: n) }
        return approvals.map { $0 / total }
    }
}
