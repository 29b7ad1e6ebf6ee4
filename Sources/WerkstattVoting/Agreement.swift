#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Group-aware agreement on one item (or thesis): consensus and controversy.
///
/// Both use the smoothed support share of each group that cast ballots,
/// p_g = (supporters_g + 1) / (ballots_g + 2) (Laplace's rule: one imagined supporter and
/// one imagined opponent per group, so a group of one does not count as 0 % or 100 %).
public enum Agreement {
    /// Smoothed support shares of the groups that cast ballots (groups with 0 ballots skipped).
    public static func smoothedShares(groups: [(supporters: Int, ballots: Int)]) -> [Double] {
        groups.compactMap { g in
            g.ballots > 0 ? (Double(g.supporters) + 1) / (Double(g.ballots) + 2) : nil
        }
    }

    /// Geometric mean of p_g: high only when every group supports the item, because a single
    /// reluctant group pulls a geometric mean down much more than an arithmetic one.
    /// 0 when no group cast a ballot.
    public static func consensus(groups: [(supporters: Int, ballots: Int)]) -> Double {
        let p = smoothedShares(groups: groups)
        guard !p.isEmpty else { return 0 }
        var logSum = 0.0
        for x in p { logSum += log(x) }
        return exp(logSum / Double(p.count))
    }

    /// 2 × the population standard deviation of p_g: 0 when all groups agree, and since
    /// p_g lies in (0, 1) its standard deviation is below 1/2, so the value stays below 1.
    /// 0 with fewer than two groups (nobody to disagree with).
    public static func controversy(groups: [(supporters: Int, ballots: Int)]) -> Double {
        let p = smoothedShares(groups: groups)
        guard p.count > 1 else { return 0 }
        var mean = 0.0
        for x in p { mean += x }
        mean /= Double(p.count)
        var sq = 0.0
        for x in p { sq += (x - mean) * (x - mean) }
        return 2 * (sq / Double(p.count)).squareRoot()
    }
}
