import Testing
@testable import WerkstattVoting

@Suite("Competition ranking and agreement")
struct RankingAgreementTests {
    @Test("Competition ranking 1, 2, 2, 4 with ties listed by code")
    func competition() throws {
        // Input order scrambled on purpose: D, C, A, B.
        let codes = ["D", "C", "A", "B"]
        let b = BallotBuilder(codes: codes)
        let ballots = [
            b.dot(.industry, [("A", 3), ("C", 2)]),
            b.dot(.industry, [("A", 2), ("B", 3)]),
            b.dot(.science, [("D", 1), ("B", 1), ("A", 1)]),
        ]
        // A = 3 + 2 + 1 = 6, B = 3 + 1 = 4, C = 2, D = 1 → no tie yet; add C two more.
        let more = ballots + [b.dot(.science, [("C", 2)])]
        let r = Tally.compute(try makeRound(.dot(pointsPerMember: 5, maxPointsPerItem: 5), codes: codes, ballots: more))
        // A 6, B 4, C 4, D 1 → ranks 1, 2, 2, 4; B before C by code.
        #expect(r.codes == ["A", "B", "C", "D"])
        #expect(r.ranks == [1, 2, 2, 4])
        // `candidate` points back into the input order.
        #expect(r.items.map(\.candidate) == [2, 3, 1, 0])
    }

    @Test("Competition ranking on plain scores")
    func plain() {
        #expect(CompetitionRanking.ranks(scores: [3, 5, 5, 1, 5]) == [4, 1, 1, 5, 1])
        #expect(CompetitionRanking.ranks(scores: []) == [])
        #expect(CompetitionRanking.ranks(scores: [0.1 + 0.2, 0.3]) == [1, 1])
        #expect(CompetitionRanking.ranks(integerScores: [2, 2, 2]) == [1, 1, 1])
        let cands = [Candidate(code: "b", id: "1"), Candidate(code: "a", id: "2"), Candidate(code: "c", id: "3")]
        #expect(CompetitionRanking.listingOrder(ranks: [1, 1, 1], candidates: cands) == [1, 0, 2])
    }

    @Test("Consensus and controversy for a hand example")
    func agreement() {
        // p = (3+1)/(4+2) = 2/3, (1+1)/(4+2) = 1/3, (0+1)/(2+2) = 1/4.
        let groups = [(supporters: 3, ballots: 4), (supporters: 1, ballots: 4), (supporters: 0, ballots: 2)]
        // consensus = (2/3 · 1/3 · 1/4)^(1/3) = (1/18)^(1/3) ≈ 0.381571
        #expect(close(Agreement.consensus(groups: groups), 0.381571, eps: 1e-6))
        // mean 5/12; deviations 1/4, −1/12, −1/6; variance (1/16 + 1/144 + 1/36)/3 = 7/216;
        // controversy = 2 √(7/216) ≈ 0.360041
        #expect(close(Agreement.controversy(groups: groups), 2 * (7.0 / 216).squareRoot()))
        #expect(close(Agreement.controversy(groups: groups), 0.360041, eps: 1e-6))
        // Groups without ballots are skipped; one group cannot disagree with itself.
        #expect(Agreement.controversy(groups: [(5, 10), (0, 0)]) == 0)
        #expect(close(Agreement.consensus(groups: [(5, 10), (0, 0)]), 0.5))
        #expect(Agreement.consensus(groups: []) == 0)
        // Unanimous support from two groups of 3: p = 4/5 each → consensus 0.8, controversy 0.
        #expect(close(Agreement.consensus(groups: [(3, 3), (3, 3)]), 0.8))
        #expect(Agreement.controversy(groups: [(3, 3), (3, 3)]) == 0)
    }

    @Test("Weights per balance")
    func weights() {
        var counts = [Int](repeating: 0, count: 8)
        counts[StakeholderGroup.industry.ordinal] = 4
        counts[StakeholderGroup.union.ordinal] = 1
        #expect(Weights.perBallot(balance: .proportional, ballotsPerGroup: counts).allSatisfy { $0 == 1 })
        let eq = Weights.perBallot(balance: .equal, ballotsPerGroup: [.industry: 4, .union: 1])
        #expect(eq == [.industry: 0.125, .union: 0.5])
        let custom = Weights.perBallot(balance: .custom([.industry: 2, .union: 2, .science: 5, .politics: -1]), ballotsPerGroup: [.industry: 4, .union: 1])
        #expect(custom == [.industry: 0.125, .union: 0.5])
        let none = Weights.perBallot(balance: .custom([.science: 1]), ballotsPerGroup: [.industry: 4])
        #expect(none == [.industry: 0])
    }

    @Test("Rank interval percentiles from a histogram")
    func interval() {
        // 20 samples: ranks 1 ×10, 2 ×9, 3 ×1. Indices ⌊0.05·19⌋ = 0 and ⌈0.95·19⌉ = 19 → [1, 3].
        #expect(Bootstrap.interval(histogram: [10, 9, 1], actual: 1) == RankInterval(lo: 1, hi: 3))
        // 200 samples: ranks 2 ×195, 3 ×5: index ⌊9.95⌋ = 9 → 2, ⌈189.05⌉ = 190 → 2; widened to 1.
        #expect(Bootstrap.interval(histogram: [0, 195, 5], actual: 1) == RankInterval(lo: 1, hi: 2))
        #expect(Bootstrap.interval(histogram: [0, 0, 0], actual: 2) == RankInterval(lo: 2, hi: 2))
    }

    @Test("Bootstrap: clear winner certain, close items uncertain, deterministic per seed")
    func bootstrap() throws {
        let codes = ["A", "B", "C", "D"]
        let b = BallotBuilder(codes: codes)
        var ballots: [Ballot] = []
        for k in 0..<60 {
            var list = ["A"]
            if k % 2 == 0 { list.append("B") } else { list.append("C") }
            if k % 7 == 0 { list.append("D") }
            ballots.append(b.approval(k % 3 == 0 ? .science : .industry, list))
        }
        let input = try makeRound(.approval, codes: codes, ballots: ballots, samples: 200, seed: 42)
        let r = Tally.compute(input)
        #expect(r.item("A").rankInterval == RankInterval(lo: 1, hi: 1))
        #expect(r.item("D").rankInterval == RankInterval(lo: 4, hi: 4))
        // B and C have 30 approvals each: tied at rank 2, and a coin toss in the bootstrap.
        #expect(r.item("B").rank == 2 && r.item("C").rank == 2)
        #expect(r.item("B").rankInterval == RankInterval(lo: 2, hi: 3))
        #expect(Tally.compute(input) == r)
    }

    @Test("xoshiro256** reference output")
    func prng() {
        // SplitMix64 from 1234567: first outputs as in Vigna's reference implementation.
        var sm = SplitMix64(seed: 1234567)
        #expect(sm.next() == 6457827717110365317)
        #expect(sm.next() == 3203168211198807973)
        // xoshiro256** seeded through SplitMix64(42), checked against an independent script.
        var z = Xoshiro256StarStar(seed: 42)
        #expect(z.next() == 1546998764402558742)
        #expect(z.next() == 6990951692964543102)
        #expect(z.next() == 12544586762248559009)
        var x = Xoshiro256StarStar(seed: 0)
        var y = Xoshiro256StarStar(seed: 0)
        for _ in 0..<100 { #expect(x.next() == y.next()) }
        for bound in [1, 2, 3, 7, 1000, 1 << 40] as [UInt64] {
            for _ in 0..<100 { #expect(x.next(below: bound) < bound) }
        }
    }
}
