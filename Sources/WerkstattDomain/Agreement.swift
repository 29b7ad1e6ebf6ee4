import Foundation

/// Group-aware agreement figures, for thesis stances and for voting results alike.
///
/// Both use the smoothed support share of each stakeholder group that cast ballots,
/// p = (supporters + 1) / (ballots + 2), so a group of two is not read as unanimous.
public enum Agreement {
    /// Supporters and ballots of one stakeholder group.
    public struct Group: Sendable {
        public var supporters: Int
        public var ballots: Int
        public init(supporters: Int, ballots: Int) {
            self.supporters = supporters; self.ballots = ballots
        }
        var share: Double { Double(supporters + 1) / Double(ballots + 2) }
    }

    /// Geometric mean of the groups' smoothed support shares: high only when every group
    /// supports. Nil when no group cast a ballot.
    public static func consensus(_ groups: [Group]) -> Double? {
        let voting = groups.filter { $0.ballots > 0 }
        guard !voting.isEmpty else { return nil }
        let logSum = voting.reduce(0.0) { $0 + log($1.share) }
        return exp(logSum / Double(voting.count))
    }

    /// How far the groups disagree: twice the population standard deviation of their
    /// smoothed support shares (0 = all groups alike, 1 = half at 0 and half at 1).
    /// Nil when no group cast a ballot.
    public static func controversy(_ groups: [Group]) -> Double? {
        let shares = groups.filter { $0.ballots > 0 }.map(\.share)
        guard !shares.isEmpty else { return nil }
        let mean = shares.reduce(0, +) / Double(shares.count)
        let variance = shares.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(shares.count)
        return min(1, 2 * variance.squareRoot())
    }
}
