/// The entry point: counts a round.
public enum Tally {
    /// Counts a round: canonical form and digest, method scores and ranks under the balance,
    /// per-group scores as the disclosure allows, supporters, consensus and controversy,
    /// and bootstrap rank intervals. Pure: the same input gives the same result, whatever
    /// the order of ballots or candidates.
    public static func compute(_ input: RoundInput) -> RoundResult {
        compute(input, checkingCancellation: {})
    }

    /// The same count, stopping with `CancellationError` once the calling task is cancelled
    /// (checked between bootstrap resamples), so a computation abandoned at its deadline
    /// stops using the CPU.
    public static func computeCancellable(_ input: RoundInput) throws(CancellationError) -> RoundResult {
        try compute(input, checkingCancellation: { () throws(CancellationError) in
            if Task.isCancelled { throw CancellationError() }
        })
    }

    /// The tally without digest and bootstrap (digest empty, intervals of width zero):
    /// what the benchmark times as the core count.
    public static func computeCore(_ input: RoundInput) -> RoundResult {
        let canonical = CanonicalRound(input)
        return compute(input, canonical: canonical, digest: "", bootstrap: false, checkingCancellation: {})
    }

    static func compute<E: Error>(_ input: RoundInput, checkingCancellation check: () throws(E) -> Void) throws(E) -> RoundResult {
        let canonical = CanonicalRound(input)
        let digest = Digest.sha256Hex(input, canonical: canonical)
        return try compute(input, canonical: canonical, digest: digest, checkingCancellation: check)
    }

    static func compute<E: Error>(_ input: RoundInput, canonical: CanonicalRound, digest: String, bootstrap: Bool = true,
                                  checkingCancellation check: () throws(E) -> Void) throws(E) -> RoundResult {
        let n = canonical.candidates.count
        let set = canonical.ballots
        let agg = Aggregates(counting: set, n: n, trackSupport: true)
        let voting = (0..<Aggregates.groupCount).filter { agg.ballots[$0] > 0 }
        var ballotsPerGroup: [StakeholderGroup: Int] = [:]
        for g in voting {
            guard let group = StakeholderGroup(ordinal: g) else { continue }
            ballotsPerGroup[group] = agg.ballots[g]
        }
        let disclosure = Disclosure(counts: ballotsPerGroup, minGroupSize: input.minGroupSize)
        let entries = disclosure.entries.map { $0.map(\.ordinal) }
        // Groups under k weigh together (Weights.perBallot(balance:ballotsPerGroup:units:)).
        let weights = Weights.perBallot(balance: input.balance, ballotsPerGroup: agg.ballots, units: entries)
        let units = agg.merging(units: entries)
        let overall = Evaluator.evaluate(units, weights: weights, ranks: true, extras: true)
        var weightByGroup: [StakeholderGroup: Double] = [:]
        for group in ballotsPerGroup.keys { weightByGroup[group] = weights[group.ordinal] }
        // Only what the disclosure shows is computed per group: the shown groups one by
        // one, and the pool as one group of ballots each weighing 1.
        let shown: [(group: StakeholderGroup, eval: Evaluation)] = disclosure.shown.map { group in
            (group, Evaluator.evaluate(units, weights: Evaluator.only([group]), ranks: false, extras: false))
        }
        let pool = disclosure.pooled.isEmpty ? nil
            : Evaluator.evaluate(units, weights: Evaluator.only(disclosure.pooled), ranks: false, extras: false)
        let poolBallots = disclosure.pooled.reduce(0) { $0 + agg.ballots[$1.ordinal] }

        let intervals = bootstrap
            ? try Bootstrap.rankIntervals(
                canonical: set, candidates: n, weights: weights, units: entries,
                samples: input.bootstrapSamples, seed: input.seed, actualRanks: overall.ranks,
                checkingCancellation: check)
            : overall.ranks.map { RankInterval(lo: $0, hi: $0) }

        var items: [ItemResult] = []
        items.reserveCapacity(n)
        for i in 0..<n {
            var byGroup: [StakeholderGroup: GroupScore] = [:]
            for (group, eval) in shown {
                byGroup[group] = GroupScore(score: eval.scores[i], ballots: agg.ballots[group.ordinal])
            }
            var supporters = 0
            for g in voting { supporters += agg.supporters(group: g, item: i) }
            // Agreement over the disclosure's entries, in their fixed order.
            let groups = entries.map { entry in
                (supporters: entry.reduce(0) { $0 + agg.supporters(group: $1, item: i) },
                 ballots: entry.reduce(0) { $0 + agg.ballots[$1] })
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
                furtherGroups: pool.map { GroupScore(score: $0.scores[i], ballots: poolBallots) },
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

        return RoundResult(
            method: input.method,
            balance: input.balance,
            digest: digest,
            ballotsCounted: set.count,
            ballotsPerGroup: ballotsPerGroup,
            weights: weightByGroup,
            bootstrapSamples: input.bootstrapSamples,
            seed: input.seed,
            disclosure: disclosure,
            items: listed
        )
    }
}
