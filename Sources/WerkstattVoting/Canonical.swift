/// The canonical form of a round: candidates sorted by (code, id), ballots referring to
/// those positions, ballots sorted by (group, entries). Digest, counting and bootstrap all
/// read this form, so neither the order of ballots nor the order of candidates can change
/// a result.
struct CanonicalRound: Sendable {
    /// Canonical position → index in the input's candidate list.
    let inputIndex: [Int]
    /// The candidates in canonical order.
    let candidates: [Candidate]
    /// Ballots with canonical candidate indices, in canonical order.
    let ballots: BallotSet

    init(_ input: RoundInput) {
        let n = input.candidates.count
        let order = Array(0..<n).sorted { a, b in
            let ca = input.candidates[a], cb = input.candidates[b]
            if ca.code != cb.code { return ca.code.utf8.lexicographicallyPrecedes(cb.code.utf8) }
            if ca.id != cb.id { return ca.id.utf8.lexicographicallyPrecedes(cb.id.utf8) }
            return a < b
        }
        inputIndex = order
        candidates = order.map { input.candidates[$0] }
        var position = [Int](repeating: 0, count: n)
        for (p, i) in order.enumerated() { position[i] = p }
        let isIdentity = order.elementsEqual(0..<n)
        let remapped = isIdentity ? input.ballots : input.ballots.remapped(position)
        ballots = remapped.sortedCanonically()
    }
}

extension BallotSet {
    /// The same ballots with candidate i renamed `position[i]` (entries re-sorted where
    /// their order carries no meaning).
    func remapped(_ position: [Int]) -> BallotSet {
        var result = BallotSet(kind: kind, reservingBallots: count, entries: entryCount)
        for b in 0..<count {
            for e in Int(offsets[b])..<Int(offsets[b + 1]) {
                result.addEntry(item: position[Int(items[e])], value: kind.hasValues ? Int(values[e]) : 0)
            }
            result.commitBallot(key: keys[b], group: StakeholderGroup(ordinal: Int(groups[b]))!)
        }
        return result
    }

    /// Ballots sorted by group ordinal, then by their entries compared lexicographically as
    /// (item, value) pairs (a proper prefix sorts first). Equal ballots are interchangeable,
    /// so the order is fully determined by the multiset of ballots.
    func sortedCanonically() -> BallotSet {
        let count = self.count
        guard count > 1 else { return self }
        let withValues = kind.hasValues
        var order = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for b in 0..<count { buffer[b] = Int32(truncatingIfNeeded: b) }
            initialized = count
        }
        var alreadySorted = true
        groups.withUnsafeBufferPointer { G in
        offsets.withUnsafeBufferPointer { O in
        items.withUnsafeBufferPointer { I in
        values.withUnsafeBufferPointer { V in
            // -1, 0, 1 for ballot a before, equal to, after ballot b.
            func compare(_ a: Int, _ b: Int) -> Int {
                if G[a] != G[b] { return G[a] < G[b] ? -1 : 1 }
                var ea = Int(O[a]), eb = Int(O[b])
                let enda = Int(O[a + 1]), endb = Int(O[b + 1])
                while ea < enda && eb < endb {
                    if I[ea] != I[eb] { return I[ea] < I[eb] ? -1 : 1 }
                    if withValues && V[ea] != V[eb] { return V[ea] < V[eb] ? -1 : 1 }
                    ea += 1
                    eb += 1
                }
                let la = enda - Int(O[a]), lb = endb - Int(O[b])
                return la == lb ? 0 : (la < lb ? -1 : 1)
            }
            for b in 1..<count where compare(b - 1, b) > 0 { alreadySorted = false; break }
            if !alreadySorted {
                order.sort { compare(Int($0), Int($1)) < 0 }
            }
        }}}}
        if alreadySorted { return self }
        return permuted(order)
    }

    /// The ballots in the given order.
    func permuted(_ order: [Int32]) -> BallotSet {
        var result = BallotSet(kind: kind, reservingBallots: count, entries: entryCount)
        let withValues = kind.hasValues
        result.offsets.removeAll(keepingCapacity: true)
        result.offsets.append(0)
        for o in order {
            let b = Int(o)
            let start = Int(offsets[b]), end = Int(offsets[b + 1])
            result.items.append(contentsOf: items[start..<end])
            if withValues { result.values.append(contentsOf: values[start..<end]) }
            result.offsets.append(UInt32(result.items.count))
            result.keys.append(keys[b])
            result.groups.append(groups[b])
        }
        return result
    }
}
