/// Scores and ranks of one method from aggregates and weights; shared by the tally, the
/// per-group view and every bootstrap resample, so all three use the very same rules.
struct Evaluation: Sendable {
    var scores: [Double] = []
    var ranks: [Int] = []
    var meanGrade: [Double?] = []
    var medianGrade: [Int?] = []
    var borda: [Double] = []
    var wins: [Int] = []
}

enum Evaluator {
    /// Evaluates one method; `ranks` and `extras` can be skipped where nobody reads them.
    static func evaluate(_ agg: Aggregates, weights: [Double], ranks wantRanks: Bool, extras: Bool) -> Evaluation {
        var e = Evaluation()
        let n = agg.n
        switch agg.kind {
        case .dot:
            e.scores = DotMethod.scores(agg, weights: weights)
            if wantRanks { e.ranks = CompetitionRanking.ranks(scores: e.scores) }
        case .approval:
            e.scores = ApprovalMethod.scores(agg, weights: weights)
            if wantRanks { e.ranks = CompetitionRanking.ranks(scores: e.scores) }
        case .score:
            let dists = MajorityJudgment.distributions(agg, weights: weights)
            e.medianGrade = dists.map { MajorityJudgment.lowerMedian($0) }
            e.scores = e.medianGrade.map { Double($0 ?? 0) }
            if extras { e.meanGrade = dists.map { MajorityJudgment.meanGrade($0) } }
            if wantRanks {
                let unit = MajorityJudgment.unit(agg, weights: weights)
                let medians = e.medianGrade
                e.ranks = CompetitionRanking.ranks(count: n) { a, b in
                    // Different majority grades decide at once; only ties need the full rule.
                    let ma = medians[a] ?? -1, mb = medians[b] ?? -1
                    if ma != mb { return ma > mb ? 1 : -1 }
                    return MajorityJudgment.compare(dists[a], dists[b], unit: unit)
                }
            }
        case .ranking:
            let d = Schulze.pairwise(agg, weights: weights)
            let p = Schulze.strongestPaths(d, count: n)
            e.wins = Schulze.wins(paths: p, count: n)
            e.scores = e.wins.map(Double.init)
            if wantRanks { e.ranks = CompetitionRanking.ranks(integerScores: e.wins) }
            if extras {
                var total = 0.0
                for g in 0..<Aggregates.groupCount where agg.ballots[g] > 0 { total += weights[g] * Double(agg.ballots[g]) }
                e.borda = RankingMethod.borda(d: d, count: n, totalWeight: total)
            }
        }
        return e
    }

    /// Weights that count only these groups, each of their ballots as 1 (the per-group
    /// view, and the pool of further groups).
    static func only(_ groups: [StakeholderGroup]) -> [Double] {
        var w = [Double](repeating: 0, count: Aggregates.groupCount)
        for group in groups { w[group.ordinal] = 1 }
        return w
    }
}
