/// Competition ranking ("1, 2, 2, 4"): an item's rank is 1 + the number of items strictly
/// better than it; exact ties share a rank and are listed by code.
public enum CompetitionRanking {
    /// Ranks for `count` items given a comparison (> 0: first is better, 0: tie, < 0: worse).
    /// The comparison must be a total preorder; sorting makes this O(n log n) comparisons.
    public static func ranks(count: Int, compare: (Int, Int) -> Int) -> [Int] {
        var order = Array(0..<count)
        // Index as the last key only makes the sort deterministic; ranks do not depend on it.
        order.sort { a, b in
            let c = compare(a, b)
            return c != 0 ? c > 0 : a < b
        }
        var ranks = [Int](repeating: 0, count: count)
        for (position, item) in order.enumerated() {
            if position > 0, compare(order[position - 1], item) == 0 {
                ranks[item] = ranks[order[position - 1]]
            } else {
                ranks[item] = position + 1
            }
        }
        return ranks
    }

    /// Ranks by score, higher is better; scores equal up to rounding tie.
    public static func ranks(scores: [Double]) -> [Int] {
        ranks(count: scores.count) { Tolerance.compare(scores[$0], scores[$1]) }
    }

    /// Ranks by an integer score, higher is better.
    public static func ranks(integerScores scores: [Int]) -> [Int] {
        ranks(count: scores.count) { scores[$0] == scores[$1] ? 0 : (scores[$0] > scores[$1] ? 1 : -1) }
    }

    /// Item positions in listing order: by rank, then code, then id (codes are unique in a
    /// workshop; the id only makes the order total if they are not).
    public static func listingOrder(ranks: [Int], candidates: [Candidate]) -> [Int] {
        Array(0..<ranks.count).sorted { a, b in
            if ranks[a] != ranks[b] { return ranks[a] < ranks[b] }
            if candidates[a].code != candidates[b].code { return candidates[a].code.utf8.lexicographicallyPrecedes(candidates[b].code.utf8) }
            if candidates[a].id != candidates[b].id { return candidates[a].id.utf8.lexicographicallyPrecedes(candidates[b].id.utf8) }
            return a < b
        }
    }
}
