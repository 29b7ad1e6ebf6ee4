/// The entry point: counts a round.
public enum Tally {
    /// Counts a round: canonical form and digest, method scores and ranks under the balance,
    /// per-group scores, supporters, consensus and controversy, and bootstrap rank intervals.
    /// Pure: the same input gives the same result, whatever the order of ballots or candidates.
    public static func compute(_ input: RoundInput) -> RoundResult {
        let canonical = CanonicalRound(input)
        let digest = Digest.sha256Hex(input, canonical: canonical)
        return compute(input, canonical: canonical, digest: digest)
    }

    /// The tally without digest and bootstrap (digest empty, intervals of width zero):
    /// what a provisional view needs, and what the benchmark times as the core count.
    public static func computeCore(_ input: RoundInput) -> RoundResult {
        let canonical = CanonicalRound(input)
        return compute(input, canonical: canonical, digest: "", bootstrap: false)
    }

    static func compute(_ input: RoundInput, canonical: CanonicalRound, digest: String, bootstrap: Bool = true) -> RoundResult {
        let n = canonical.candidates.count
        let set = canonical.ballots
        let agg = Aggregates(counting: set, n: n, trackSupport: true)
        let weights = Weights.perBallot(balance: input.balance, ballotsPerGroup: agg.ballots)
        let overall = Evaluator.evaluate(agg, weights: weights, ranks: true, extras: true)

        let voting = (0..<Aggregates.groupCount).filter { agg.ballots[$0] > 0 }
        let perGroup: [(group: Int, eval: Evaluation)] = voting.map { g in
            (g, Evaluator.evaluate(agg, weights: Evaluator.oneGroup(g), ranks: false, extras: false))
        }

        let intervals = bootstrap
            ? Bootstrap.rankIntervals(
                canonical: set, candidates: n, balance: input.balance,
                samples: input.bootstrapSamples, seed: input.seed, actualRanks: overall.ranks)
            : overall.ranks.map { RankInterval(lo: $0, hi: $0) }

        var items: [ItemResult] = []
        items.reserveCapacity(n)
        for i in 0..<n {
            var byGroup: [StakeholderGroup: GroupScore] = [:]
            var groups: [(supporters: Int, ballots: Int)] = []
            var supporters = 0
            for (g, eval) in perGroup {
                let s = agg.supporters(group: g, item: i)
                supporters += s
                groups.append((s, agg.ballots[g]))
                byGroup[StakeholderGroup(ordinal: g)!] = GroupScore(score: eval.scores[i], ballots: agg.ballots[g])
            }
            let candidate = canonical.candidates[i]
            items.append(ItemResult(
                candidate: canonical.inputIndex[i],
                code: candidate.code,
                id: candidate.id,
                rank: overall.ranks[i],
                score: overall.scores[i],
                supporters: supporters,
                rankInterval: intervals[i],
                consensus: Agreement.consensus(groups: groups),
                controversy: Agreement.controversy(groups: groups),
                byGroup: byGroup,
                meanGrade: agg.kind == .score ? overall.meanGrade[i] : nil,
                medianGrade: agg.kind == .score ? overall.medianGrade[i] : nil,
                borda: agg.kind == .ranking ? overall.borda[i] : nil,
                schulzeWins: agg.kind == .ranking ? overall.wins[i] : nil
            ))
        }
        // Canonical candidates are sorted by (code, id), so a stable sort by rank lists ties by code.
        let listed = items.enumerated().sorted { a, b in
            a.element.rank != b.element.rank ? a.element.rank < b.element.rank : a.offset < b.offset
        }.map(\.element)

        var ballotsPerGroup: [StakeholderGroup: Int] = [:]
        var weightByGroup: [StakeholderGroup: Double] = [:]
        for g in voting {
            ballotsPerGroup[StakeholderGroup(ordinal: g)!] = agg.ballots[g]
            weightByGroup[StakeholderGroup(ordinal: g)!] = weights[g]
        }
        return RoundResult(
            method: input.method,
            balance: input.balance,
            digest: digest,
            ballotsCounted: set.count,
            ballotsPerGroup: ballotsPerGroup,
            weights: weightByGroup,
            bootstrapSamples: input.bootstrapSamples,
            seed: input.seed,
            items: listed
        )
    }
}
