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
    ///
    /// Speed: each ballot gets a 64-bit key that packs its group and as many leading entries
    /// as fit, in an order-preserving way (item + 1, so 0 marks the end); an LSD radix sort
    /// orders the keys, and only runs of equal keys that hold a ballot too long for its key
    /// are finished with a full comparison. For 50 candidates a key holds 6 to 10 entries.
    func sortedCanonically() -> BallotSet {
        let count = self.count
        guard count > 1 else { return self }
        let withValues = kind.hasValues
        var maxItem = 0, maxValue = 0
        for item in items where Int(item) > maxItem { maxItem = Int(item) }
        if withValues { for v in values where Int(v) > maxValue { maxValue = Int(v) } }
        let itemBits = bitWidth(maxItem + 1)
        let valueBits = withValues ? bitWidth(maxValue) : 0
        let slotBits = itemBits + valueBits
        let slots = (64 - 3) / slotBits

        var keys = [UInt64](repeating: 0, count: count)
        var truncated = [Bool](repeating: false, count: count)
        var order = [Int32](repeating: 0, count: count)
        var alreadySorted = true
        var anyTruncated = false
        groups.withUnsafeBufferPointer { G in
        offsets.withUnsafeBufferPointer { O in
        items.withUnsafeBufferPointer { I in
        values.withUnsafeBufferPointer { V in
            keys.withUnsafeMutableBufferPointer { K in
                for b in 0..<count {
                    let start = Int(O[b]), end = Int(O[b + 1])
                    var key = UInt64(G[b]) << 61
                    var shift = 61
                    let used = min(end - start, slots)
                    for e in start..<(start + used) {
                        shift -= slotBits
                        var slot = UInt64(I[e]) + 1
                        if withValues { slot = (slot << UInt64(valueBits)) | UInt64(V[e]) }
                        key |= slot << UInt64(shift)
                    }
                    K[b] = key
                    if end - start > slots {
                        truncated[b] = true
                        anyTruncated = true
                    }
                    order[b] = Int32(truncatingIfNeeded: b)
                }
            }

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

            for b in 1..<count where keys[b - 1] > keys[b] || (keys[b - 1] == keys[b] && anyTruncated && compare(b - 1, b) > 0) {
                alreadySorted = false
                break
            }
            if alreadySorted { return }
            // Small rounds: a comparison sort is cheaper than four 65 536-bucket passes.
            if count < 4096 {
                order.sort { compare(Int($0), Int($1)) < 0 }
                return
            }
            Self.radixSort(keys: &keys, payload: &order)
            guard anyTruncated else { return }
            var runStart = 0
            while runStart < count {
                var runEnd = runStart + 1
                var needsCompare = truncated[Int(order[runStart])]
                while runEnd < count && keys[runEnd] == keys[runStart] {
                    if truncated[Int(order[runEnd])] { needsCompare = true }
                    runEnd += 1
                }
                if needsCompare && runEnd - runStart > 1 {
                    order[runStart..<runEnd].sort { compare(Int($0), Int($1)) < 0 }
                }
                runStart = runEnd
            }
        }}}}
        if alreadySorted { return self }
        return permuted(order)
    }

    /// Bits needed to write `x` (at least 1).
    private func bitWidth(_ x: Int) -> Int { max(1, Int.bitWidth - x.leadingZeroBitCount) }

    /// Stable LSD radix sort of `keys` (16-bit digits), carrying `payload` along; digits in
    /// which all keys agree are skipped.
    static func radixSort(keys: inout [UInt64], payload: inout [Int32]) {
        let count = keys.count
        var keys2 = [UInt64](repeating: 0, count: count)
        var payload2 = [Int32](repeating: 0, count: count)
        var histogram = [Int](repeating: 0, count: 1 << 16)
        for pass in 0..<4 {
            let shift = UInt64(pass * 16)
            histogram.withUnsafeMutableBufferPointer { H in
                H.update(repeating: 0)
                keys.withUnsafeBufferPointer { K in
                    for k in K { H[Int((k >> shift) & 0xFFFF)] += 1 }
                }
            }
            if histogram.contains(count) { continue }
            var sum = 0
            for d in 0..<(1 << 16) {
                let c = histogram[d]
                histogram[d] = sum
                sum += c
            }
            histogram.withUnsafeMutableBufferPointer { H in
            keys.withUnsafeBufferPointer { K in
            payload.withUnsafeBufferPointer { P in
            keys2.withUnsafeMutableBufferPointer { K2 in
            payload2.withUnsafeMutableBufferPointer { P2 in
                for i in 0..<count {
                    let d = Int((K[i] >> shift) & 0xFFFF)
                    let to = H[d]
                    H[d] = to + 1
                    K2[to] = K[i]
                    P2[to] = P[i]
                }
            }}}}}
            swap(&keys, &keys2)
            swap(&payload, &payload2)
        }
    }

    /// The ballots in the given order, copied into fresh contiguous storage.
    func permuted(_ order: [Int32]) -> BallotSet {
        let count = self.count
        let entries = entryCount
        let withValues = kind.hasValues
        var result = BallotSet(kind: kind)
        result.offsets = [UInt32](repeating: 0, count: count + 1)
        result.items = [UInt16](repeating: 0, count: entries)
        result.values = withValues ? [UInt16](repeating: 0, count: entries) : []
        result.keys = [UInt64](repeating: 0, count: count)
        result.groups = [UInt8](repeating: 0, count: count)
        order.withUnsafeBufferPointer { OR in
        offsets.withUnsafeBufferPointer { O in
        items.withUnsafeBufferPointer { I in
        values.withUnsafeBufferPointer { V in
        keys.withUnsafeBufferPointer { KY in
        groups.withUnsafeBufferPointer { G in
        result.offsets.withUnsafeMutableBufferPointer { RO in
        result.items.withUnsafeMutableBufferPointer { RI in
        result.values.withUnsafeMutableBufferPointer { RV in
        result.keys.withUnsafeMutableBufferPointer { RK in
        result.groups.withUnsafeMutableBufferPointer { RG in
            var at = 0
            for (position, o) in OR.enumerated() {
                let b = Int(o)
                let start = Int(O[b]), end = Int(O[b + 1])
                for e in start..<end {
                    RI[at] = I[e]
                    if withValues { RV[at] = V[e] }
                    at += 1
                }
                RO[position + 1] = UInt32(truncatingIfNeeded: at)
                RK[position] = KY[b]
                RG[position] = G[b]
            }
        }}}}}}}}}}}
        return result
    }
}
