import Testing
@testable import WerkstattVoting

@Suite("Secrecy by aggregation, audit text and stratified bootstrap")
struct SecrecyTests {
    /// Every figure shown (each shown group, the pool) and every difference between the
    /// total and a union of them covers at least k ballots: checked over every subset.
    static func isolatesNobody(_ d: Disclosure, counts: [StakeholderGroup: Int]) -> Bool {
        let k = d.minGroupSize
        let total = counts.values.reduce(0, +)
        let published = d.shown.map { [$0] } + (d.pooled.isEmpty ? [] : [d.pooled])
        func covered(_ groups: [StakeholderGroup]) -> Int { groups.reduce(0) { $0 + counts[$1, default: 0] } }
        for mask in 1..<(1 << published.count) {
            let union = published.indices.filter { mask & (1 << $0) != 0 }.flatMap { published[$0] }
            let inside = covered(union), outside = total - inside
            if inside < k { return false }
            if outside != 0 && outside < k { return false }
        }
        return true
    }

    @Test("property: no combination of the shown figures, total included, isolates fewer than k ballots")
    func disclosureProperty() {
        var rng = Xoshiro256StarStar(seed: 2026)
        for _ in 0..<20_000 {
            let k = 2 + Int(rng.next(below: 9))
            var counts: [StakeholderGroup: Int] = [:]
            for group in StakeholderGroup.allCases where rng.next(below: 3) > 0 {
                // Mostly small groups, sometimes large ones, sometimes exactly k.
                let c = rng.next(below: 4) == 0 ? k : Int(rng.next(below: UInt64(3 * k)))
                if c > 0 { counts[group] = c }
            }
            let d = Disclosure(counts: counts, minGroupSize: k)
            #expect(Self.isolatesNobody(d, counts: counts), "k \(k), counts \(counts), \(d)")
            // Every group that voted is in exactly one place, and named when not shown.
            let placed = d.shown + d.pooled + d.withheld
            #expect(Set(placed) == Set(counts.keys) && placed.count == counts.count, "\(counts) \(d)")
            #expect(Set(d.undisclosed) == Set(d.pooled + d.withheld))
            // Groups of k or more are shown unless they had to fill the pool.
            if d.pooled.isEmpty && d.withheld.isEmpty {
                #expect(counts.values.allSatisfy { $0 >= k })
            }
        }
    }

    @Test("the rule on hand-worked cases: pool, filling the pool, withholding everything")
    func disclosureCases() {
        // Union alone (1) is under k = 3; the smallest shown group, science (3, later in
        // order than industry's 3), fills the pool.
        let d = Disclosure(counts: [.industry: 3, .science: 3, .union: 1], minGroupSize: 3)
        #expect(d.shown == [.industry])
        #expect(d.pooled == [.science, .union])
        #expect(d.withheld.isEmpty)
        // Two small groups that reach k together form the pool; the big one is shown.
        let e = Disclosure(counts: [.industry: 10, .union: 2, .politics: 3], minGroupSize: 5)
        #expect(e.shown == [.industry] && e.pooled == [.union, .politics])
        // One big group and one voter: showing either would show the other.
        let f = Disclosure(counts: [.industry: 10, .union: 1], minGroupSize: 5)
        #expect(f.shown.isEmpty && f.pooled.isEmpty && f.withheld == [.industry, .union])
        // k = 1 shows everything.
        let g = Disclosure(counts: [.industry: 1, .union: 1], minGroupSize: 1)
        #expect(g.shown == [.industry, .union] && g.undisclosed.isEmpty)
    }

    @Test("a group of one voter: its figures appear only pooled, and consensus is taken over what is shown")
    func tallyHidesAGroupOfOne() throws {
        let b = BallotBuilder(codes: ["A", "B"])
        var ballots = (0..<5).map { _ in b.dot(.industry, [("A", 3)]) }
        ballots += (0..<4).map { _ in b.dot(.science, [("A", 1)]) }
        ballots.append(b.dot(.union, [("B", 5)]))  // the one union voter
        let input = try RoundInput(method: .dotDefaults(), candidates: candidates(["A", "B"]),
                                   ballots: BallotSet(kind: .dot, ballots), minGroupSize: 5)
        let result = Tally.compute(input)
        #expect(result.disclosure.shown == [.industry])
        #expect(result.disclosure.pooled == [.science, .union])
        let itemB = result.item("B")
        #expect(itemB.byGroup.keys.sorted() == [.industry])
        #expect(itemB.furtherGroups == GroupScore(score: 5, ballots: 5))
        // Consensus over (industry, pool): B has 0 of 5 and 1 of 5 supporters.
        #expect(close(itemB.consensus, ((1.0 / 7.0) * (2.0 / 7.0)).squareRoot()))
        // With k = 1 the union ballot would stand alone.
        let open = Tally.compute(try RoundInput(method: .dotDefaults(), candidates: candidates(["A", "B"]),
                                                ballots: BallotSet(kind: .dot, ballots), minGroupSize: 1))
        #expect(open.item("B").byGroup[.union] == GroupScore(score: 5, ballots: 1))
    }

    @Test("the canonical text reads back into the same input, and anything else is refused")
    func parseCanonical() throws {
        let b = BallotBuilder(codes: ["A", "B", "C"])
        for (method, ballots) in [
            (Method.dotDefaults(pointsPerMember: 5, maxPointsPerItem: 3), [b.dot(.industry, [("A", 3), ("C", 2)]), b.dot(.union, [("B", 1)])]),
            (.approval, [b.approval(.science, ["A", "B"]), b.approval(.other, ["C"])]),
            (.score, [b.score(.politics, [("A", 0), ("B", 5)]), b.score(.industry, [("C", 3)])]),
            (.ranking, [b.ranking(.civilSociety, "C>A"), b.ranking(.industry, "A>B>C")]),
        ] {
            let input = try RoundInput(method: method, balance: .custom([.industry: 0.5, .union: 1e-5]),
                                       candidates: [Candidate(code: "B 2", id: "id-b"), Candidate(code: "A\n1", id: "id-a"),
                                                    Candidate(code: "C", id: "id-c")],
                                       ballots: BallotSet(kind: method.kind, ballots), seed: 99, bootstrapSamples: 12,
                                       minGroupSize: 7)
            let text = Digest.canonicalForm(input)
            let parsed = try Digest.parse(canonical: text)
            #expect(Digest.canonicalForm(parsed) == text)
            #expect(Digest.sha256Hex(parsed) == Digest.sha256Hex(input))
            #expect(parsed.minGroupSize == 7 && parsed.seed == 99 && parsed.bootstrapSamples == 12)
            #expect(Tally.compute(parsed) .items.map(\.code) == Tally.compute(input).items.map(\.code))
        }
        let text = Digest.canonicalForm(try makeRound(.approval, codes: ["A", "B"], ballots: [
            BallotBuilder(codes: ["A", "B"]).approval(.industry, ["A"]),
            BallotBuilder(codes: ["A", "B"]).approval(.union, ["B"]),
        ]))
        for broken in [
            text.replacingOccurrences(of: "werkstatt-tally/2", with: "werkstatt-tally/1"),
            text.replacingOccurrences(of: "union 1", with: "union 7"),          // no such item
            text.replacingOccurrences(of: "union 1", with: "workers 1"),        // no such group
            text.replacingOccurrences(of: "industry 0\nunion 1", with: "union 1\nindustry 0"),  // not in canonical order
            text + "industry 0\n",                                              // more ballots than announced
            String(text.dropLast()),                                            // no final line feed
        ] {
            #expect(throws: CanonicalTextError.self) { try Digest.parse(canonical: broken) }
        }
    }

    @Test("the bootstrap resamples within each group: a group's weight never vanishes from a resample")
    func stratifiedBootstrap() throws {
        // Custom balance weighs only the single union ballot, which ranks B first. An
        // unstratified resample would lose that ballot in about a third of the samples
        // and tie everything; within its group it is always redrawn.
        let b = BallotBuilder(codes: ["A", "B"])
        var ballots = (0..<30).map { _ in b.approval(.industry, ["A"]) }
        ballots.append(b.approval(.union, ["B"]))
        let input = try makeRound(.approval, .custom([.union: 1]), codes: ["A", "B"], ballots: ballots, samples: 200)
        let result = Tally.compute(input)
        #expect(result.codes == ["B", "A"])
        #expect(result.item("B").rankInterval == RankInterval(lo: 1, hi: 1))
        #expect(result.item("A").rankInterval == RankInterval(lo: 2, hi: 2))
    }

    @Test("a balance that weighs no ballot is recognised, so a round cannot close on it")
    func weightless() {
        #expect(Weights.isWeightless(balance: .custom([.science: 1]), ballotsPerGroup: [.industry: 3]))
        #expect(!Weights.isWeightless(balance: .custom([.science: 1]), ballotsPerGroup: [.industry: 3, .science: 1]))
        #expect(!Weights.isWeightless(balance: .custom([.science: 1]), ballotsPerGroup: [:]))
        #expect(!Weights.isWeightless(balance: .equal, ballotsPerGroup: [.union: 1]))
    }

    @Test("a cancelled computation stops between bootstrap resamples")
    func cancellation() async throws {
        let b = BallotBuilder(codes: ["A", "B"])
        let input = try makeRound(.approval, codes: ["A", "B"], ballots: [b.approval(.industry, ["A"])], samples: 1_000)
        let task = Task { () throws(CancellationError) -> RoundResult in
            withUnsafeCurrentTask { $0?.cancel() }
            return try Tally.computeCancellable(input)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        // Not cancelled, the same computation completes.
        #expect(try Tally.computeCancellable(input).items.count == 2)
    }
}

@Suite("Secrecy under weighted balances")
struct WeightedSecrecyTests {
    /// Everything a ranking publishes about its items.
    static func published(_ result: RoundResult) -> [String] {
        result.items.map { item in
            "\(item.code) \(item.rank) \(item.score) \(item.supporters) \(item.rankInterval) \(item.consensus) "
                + "\(item.controversy) \(item.byGroup.sorted { $0.key < $1.key }) \(String(describing: item.furtherGroups)) "
                + "\(String(describing: item.meanGrade)) \(String(describing: item.borda))"
        }
    }

    @Test("under equal and custom balance, which pooled group cast a ballot changes nothing that is published")
    func swapInsidePool() throws {
        // Industry 5 (shown), science 4 and union 1 (pooled under k = 5). World 1: the one
        // union voter approves B, no scientist does. World 2: a scientist approves B, the
        // union voter does not. Weighed apart, the total and the supporters would tell
        // the worlds apart; weighed together, nothing does.
        let b = BallotBuilder(codes: ["A", "B", "C"])
        func world(unionApprovesB: Bool, method: Method.Kind) -> [Ballot] {
            var ballots = (0..<5).map { i in
                method == .approval ? b.approval(.industry, i < 3 ? ["A"] : ["C"]) : b.score(.industry, [("A", 4), ("C", i % 6)])
            }
            for i in 0..<4 {
                let approves = !unionApprovesB && i == 0
                ballots.append(method == .approval ? b.approval(.science, approves ? ["B"] : ["C"])
                                                   : b.score(.science, [("B", approves ? 5 : 1), ("C", 2)]))
            }
            ballots.append(method == .approval ? b.approval(.union, unionApprovesB ? ["B"] : ["C"])
                                               : b.score(.union, [("B", unionApprovesB ? 5 : 1), ("C", 2)]))
            return ballots
        }
        for method in [Method.approval, .score] {
            for balance in [Balance.equal, .custom([.industry: 1, .science: 1, .union: 3])] {
                func count(_ unionApprovesB: Bool) throws -> RoundResult {
                    Tally.compute(try RoundInput(method: method, balance: balance, candidates: candidates(["A", "B", "C"]),
                                                 ballots: BallotSet(kind: method.kind, world(unionApprovesB: unionApprovesB, method: method.kind)),
                                                 seed: 11, bootstrapSamples: 50, minGroupSize: 5))
                }
                let (one, two) = (try count(true), try count(false))
                #expect(one.disclosure.pooled == [.science, .union])
                #expect(Self.published(one) == Self.published(two), "\(method) \(balance)")
            }
        }
    }

    @Test("groups under k weigh together: equal gives the pool one share, custom the sum of its shares")
    func unitWeights() {
        var counts = [Int](repeating: 0, count: StakeholderGroup.count)
        counts[StakeholderGroup.industry.ordinal] = 5
        counts[StakeholderGroup.science.ordinal] = 4
        counts[StakeholderGroup.union.ordinal] = 1
        let units = [[StakeholderGroup.industry.ordinal], [StakeholderGroup.science.ordinal, StakeholderGroup.union.ordinal]]
        let equal = Weights.perBallot(balance: .equal, ballotsPerGroup: counts, units: units)
        #expect(close(equal[StakeholderGroup.industry.ordinal], 1.0 / 10))
        #expect(close(equal[StakeholderGroup.science.ordinal], 1.0 / 10))
        #expect(close(equal[StakeholderGroup.union.ordinal], 1.0 / 10))
        let custom = Weights.perBallot(balance: .custom([.industry: 2, .union: 2]), ballotsPerGroup: counts, units: units)
        #expect(close(custom[StakeholderGroup.industry.ordinal], 0.5 / 5))
        #expect(close(custom[StakeholderGroup.science.ordinal], 0.5 / 5))
        #expect(close(custom[StakeholderGroup.union.ordinal], 0.5 / 5))
    }
}
