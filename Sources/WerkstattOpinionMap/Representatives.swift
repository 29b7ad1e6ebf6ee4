import Foundation

/// Stance counts per opinion group and thesis, over placed participants.
struct GroupCounts {
    let groups: Int
    let theses: Int
    /// `[group * theses + thesis]`
    var agree: [Int]
    var disagree: [Int]
    /// Members who took any stance (agree, disagree or pass).
    var seen: [Int]

    init(groups: Int, theses: Int) {
        self.groups = groups
        self.theses = theses
        agree = [Int](repeating: 0, count: groups * theses)
        disagree = agree
        seen = agree
    }
}

/// Which theses set an opinion group apart from the rest (docs/methods.md, "The opinion map").
enum Representatives {
    static let maxPerGroup = 5
    static let significance = 0.05

    /// The at most five theses whose direction the group took significantly more often than
    /// the rest, by z descending (then thesis, then agree before disagree). A thesis that
    /// fewer than `minimumSeen` (k) members of the group, or of the rest, took a stance on
    /// is never one: its rates would rest on fewer than k people's stances.
    static func of(group g: Int, counts: GroupCounts, totals: GroupCounts, minimumSeen: Int) -> [OpinionMap.Representative] {
        var best: [OpinionMap.Representative] = []
        for t in 0..<counts.theses {
            let k = g * counts.theses + t
            let seenGroup = counts.seen[k], seenRest = totals.seen[t] - counts.seen[k]
            guard seenGroup >= minimumSeen, seenRest >= minimumSeen else { continue }
            var chosen: OpinionMap.Representative?
            for direction in [OpinionMap.Direction.agree, .disagree] {
                let inGroup = direction == .agree ? counts.agree[k] : counts.disagree[k]
                let total = direction == .agree ? totals.agree[t] : totals.disagree[t]
                // Without a single member taking the direction, only the pseudo-counts would speak.
                guard inGroup > 0 else { continue }
                let r = test(votes: inGroup, seen: seenGroup, restVotes: total - inGroup, restSeen: seenRest)
                guard r.pValue < significance, r.groupRate > r.restRate else { continue }
                if chosen.map({ r.z > $0.z }) ?? true {
                    chosen = OpinionMap.Representative(
                        thesis: t, direction: direction, groupRate: r.groupRate, restRate: r.restRate,
                        groupVotes: inGroup, groupSeen: seenGroup, z: r.z, pValue: r.pValue)
                }
            }
            if let chosen { best.append(chosen) }
        }
        // Theses were visited in order, and a stable sort keeps that order on equal z.
        return Array(best.enumerated().sorted { a, b in
            a.element.z != b.element.z ? a.element.z > b.element.z : a.offset < b.offset
        }.map(\.element).prefix(maxPerGroup))
    }

    /// The two-proportion z-test with one pseudo-vote for and one against on each side.
    static func test(votes: Int, seen: Int, restVotes: Int, restSeen: Int)
        -> (groupRate: Double, restRate: Double, z: Double, pValue: Double) {
        let ng = Double(seen + 2), nr = Double(restSeen + 2)
        let pg = Double(votes + 1) / ng, pr = Double(restVotes + 1) / nr
        let pooled = Double(votes + 1 + restVotes + 1) / (ng + nr)
        // The pseudo-counts keep `pooled` strictly between 0 and 1, so the root is positive.
        let z = (pg - pr) / (pooled * (1 - pooled) * (1 / ng + 1 / nr)).squareRoot()
        return (pg, pr, z, upperTail(z))
    }

    /// 1 − Φ(z), the one-sided p-value, as ½·erfc(z/√2) (exact in the far tail, where
    /// 1 − Φ would cancel to 0).
    static func upperTail(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }
}
