/// SplitMix64 (Steele, Lea, Flood): expands a 64-bit seed into generator state.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state.
    public var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman, Vigna): fast, with a fixed published algorithm, so a bootstrap
/// can be recomputed from seed on any machine (Swift's own generators promise no such thing).
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// State from four SplitMix64 outputs of `seed`, as the authors recommend.
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inlinable @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform integer in 0..<bound (Lemire's multiply-shift with rejection: unbiased,
    /// and almost never divides).
    @inlinable @inline(__always)
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }
}

/// A 90 % interval of an item's rank.
public struct RankInterval: Sendable, Hashable, Codable {
    /// Best plausible rank (5th percentile).
    public var lo: Int
    /// Worst plausible rank (95th percentile).
    public var hi: Int

    /// An interval.
    public init(lo: Int, hi: Int) {
        self.lo = lo
        self.hi = hi
    }
}

/// The seeded bootstrap behind rank intervals, stratified by the disclosure's units (each
/// shown stakeholder group on its own, the groups under k together; `Disclosure.entries`).
///
/// Sample s (s = 0..<B) resamples each unit on its own: for the units in order, the
/// unit's n_u ballots (in canonical order for one group; for several, sorted by their
/// entries alone, so that which pooled group cast which ballot changes no draw) are
/// replaced by n_u draws with replacement from them (`next(below: n_u)`, all from one
/// xoshiro256** stream seeded with the round's seed). Every resample thus keeps each
/// unit's size, so no resample loses a group the balance weighs, and the weights are
/// those of the round. The ranks are recomputed with
/// the round's method. For each item the B ranks are sorted; the interval is
/// [r(⌊0.05 (B−1)⌋), r(⌈0.95 (B−1)⌉)] (0-based order statistics), then widened to include
/// the item's actual rank.
public enum Bootstrap {
    /// A sample count that keeps a round's bootstrap to a few seconds on one core: each
    /// resample costs O(ballots) (about 10–20 ms per million ballots), so 200 up to 250 000
    /// ballots, then fewer, never below 100 (percentiles of fewer resamples get coarse).
    public static func recommendedSamples(ballots: Int) -> Int {
        guard ballots > 250_000 else { return 200 }
        return max(100, 50_000_000 / ballots)
    }

    /// The sample count for a ballot set: `recommendedSamples(ballots:)`, lowered where
    /// one resample is heavy, so that the whole bootstrap stays within about
    /// `workBudget` counting steps, but never below 10 resamples. A resample costs a
    /// step per ballot and per entry, and for ranking ballots a step per ordered pair
    /// (ℓ(ℓ−1)/2 for a list of ℓ): 10 000 full rankings of 200 recommendations cost
    /// 2·10⁸ steps each, a thousand times a dot ballot's. See docs/performance.md, "Rounds at the cap".
    public static func recommendedSamples(for set: BallotSet) -> Int {
        let samples = recommendedSamples(ballots: set.count)
        let work = workPerResample(set)
        guard work > 0 else { return samples }
        return min(samples, max(minimumSamples, workBudget / work))
    }

    /// Counting steps the whole bootstrap may take before it uses fewer resamples.
    public static let workBudget = 400_000_000
    /// The fewest resamples a heavy round gets.
    public static let minimumSamples = 10

    /// Counting steps of one resample (see `recommendedSamples(for:)`).
    static func workPerResample(_ set: BallotSet) -> Int {
        var work = set.count + set.entryCount
        if set.kind == .ranking {
            for b in 0..<set.count {
                let length = Int(set.offsets[b + 1] - set.offsets[b])
                work += length * (length - 1) / 2
            }
        }
        return work
    }

    /// The percentile interval from a histogram of ranks (`histogram[r - 1]` = samples with
    /// rank r), widened to contain `actual`.
    public static func interval(histogram: [Int], actual: Int) -> RankInterval {
        let samples = histogram.reduce(0, +)
        guard samples > 0 else { return RankInterval(lo: actual, hi: actual) }
        let loIndex = 5 * (samples - 1) / 100
        let hiIndex = (95 * (samples - 1) + 99) / 100
        func orderStatistic(_ index: Int) -> Int {
            var cum = 0
            for (r, c) in histogram.enumerated() {
                cum += c
                if cum > index { return r + 1 }
            }
            return histogram.count
        }
        return RankInterval(lo: min(orderStatistic(loIndex), actual), hi: max(orderStatistic(hiIndex), actual))
    }

    /// Rank intervals for all items of a canonical ballot set; `check` runs before every
    /// resample and may stop the computation by throwing.
    static func rankIntervals<E: Error>(
        canonical set: BallotSet, candidates n: Int, weights: [Double], units: [[Int]],
        samples: Int, seed: UInt64, actualRanks: [Int],
        checkingCancellation check: () throws(E) -> Void
    ) throws(E) -> [RankInterval] {
        let ballots = set.count
        guard samples > 0, ballots > 0, n > 0 else {
            return actualRanks.map { RankInterval(lo: $0, hi: $0) }
        }
        let strata = Self.strata(set, units: units)
        var rng = Xoshiro256StarStar(seed: seed)
        var histogram = [Int](repeating: 0, count: n * n)
        var multiplicity = [UInt32](repeating: 0, count: ballots)
        for _ in 0..<samples {
            try check()
            multiplicity.withUnsafeMutableBufferPointer { m in
                m.update(repeating: 0)
                for stratum in strata {
                    let bound = UInt64(stratum.count)
                    for _ in 0..<stratum.count { m[stratum[Int(rng.next(below: bound))]] &+= 1 }
                }
            }
            // Stratified: every group keeps its size, so the round's weights hold.
            let agg = Aggregates(counting: set, n: n, multiplicity: multiplicity, trackSupport: false).merging(units: units)
            let ranks = Evaluator.evaluate(agg, weights: weights, ranks: true, extras: false).ranks
            for i in 0..<n { histogram[i * n + ranks[i] - 1] += 1 }
        }
        return (0..<n).map { i in
            interval(histogram: Array(histogram[(i * n)..<(i * n + n)]), actual: actualRanks[i])
        }
    }

    /// The ballot positions of each stratum, in unit order: a unit's ballots (a shown group,
    /// or the groups under k together) sorted by their entries alone, not by group, so that
    /// which pooled group cast which ballot changes no draw, and no rank interval.
    static func strata(_ set: BallotSet, units: [[Int]]) -> [[Int]] {
        func precedes(_ a: Int, _ b: Int) -> Bool {
            var ea = Int(set.offsets[a]), eb = Int(set.offsets[b])
            let enda = Int(set.offsets[a + 1]), endb = Int(set.offsets[b + 1])
            let withValues = set.kind.hasValues
            while ea < enda && eb < endb {
                if set.items[ea] != set.items[eb] { return set.items[ea] < set.items[eb] }
                if withValues && set.values[ea] != set.values[eb] { return set.values[ea] < set.values[eb] }
                ea += 1
                eb += 1
            }
            return enda - Int(set.offsets[a]) < endb - Int(set.offsets[b])
        }
        var unitOf = [Int](repeating: -1, count: StakeholderGroup.count)
        for (u, unit) in units.enumerated() { for g in unit { unitOf[g] = u } }
        var strata = [[Int]](repeating: [], count: units.count)
        for b in 0..<set.count {
            let u = unitOf[Int(set.groups[b])]
            if u >= 0 { strata[u].append(b) }
        }
        // Canonical order already sorts within one group; a unit of several groups needs it.
        return strata.map { $0.count > 1 ? $0.sorted(by: precedes) : $0 }.filter { !$0.isEmpty }
    }
}
