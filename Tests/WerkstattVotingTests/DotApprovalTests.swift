import Testing
@testable import WerkstattVoting

@Suite("Dot and approval under the three balances")
struct DotApprovalTests {
    static let codes = ["A", "B", "C"]
    static let b = BallotBuilder(codes: codes)
    /// industry: {A3 B2}, {A3 C2}, {B1 C3}; science: {C3 B2}. Budget 5, at most 3 per item.
    static let dotBallots = [
        b.dot(.industry, [("A", 3), ("B", 2)]),
        b.dot(.industry, [("A", 3), ("C", 2)]),
        b.dot(.industry, [("B", 1), ("C", 3)]),
        b.dot(.science, [("C", 3), ("B", 2)]),
    ]
    static let dot = Method.dot(pointsPerMember: 5, maxPointsPerItem: 3)

    @Test("dot, proportional: plain sums")
    func dotProportional() throws {
        let r = Tally.compute(try makeRound(Self.dot, codes: Self.codes, ballots: Self.dotBallots))
        // A = 3 + 3 = 6, B = 2 + 1 + 2 = 5, C = 2 + 3 + 3 = 8.
        #expect(r.codes == ["C", "A", "B"])
        #expect(r.items.map(\.score) == [8, 6, 5])
        #expect(r.items.map(\.supporters) == [3, 2, 3])
        // By group, unweighted: industry C = 5, science C = 3.
        #expect(r.item("C").byGroup == [.industry: GroupScore(score: 5, ballots: 3), .science: GroupScore(score: 3, ballots: 1)])
        #expect(r.item("A").byGroup[.science] == GroupScore(score: 0, ballots: 1))
        #expect(r.weights == [.industry: 1, .science: 1])
    }

    @Test("dot, equal: each voting group weighs 1/2")
    func dotEqual() throws {
        let r = Tally.compute(try makeRound(Self.dot, .equal, codes: Self.codes, ballots: Self.dotBallots))
        // w_industry = 1/(2·3) = 1/6, w_science = 1/(2·1) = 1/2.
        // A = 6/6 = 1; B = 3/6 + 2/2 = 1.5; C = 5/6 + 3/2 = 2.333…
        #expect(r.codes == ["C", "B", "A"])
        #expect(close(r.item("A").score, 1))
        #expect(close(r.item("B").score, 1.5))
        #expect(close(r.item("C").score, 5.0 / 6 + 1.5))
        #expect(close(r.weights[.industry], 1.0 / 6) && close(r.weights[.science], 0.5))
    }

    @Test("dot, custom: shares normalised over the voting groups")
    func dotCustom() throws {
        // industry 3 : science 1 → 0.75 / 0.25; w_industry = 0.75/3 = 0.25, w_science = 0.25/1.
        // Every ballot weighs 0.25: A 1.5, B 1.25, C 2.
        let r = Tally.compute(try makeRound(Self.dot, .custom([.industry: 3, .science: 1]), codes: Self.codes, ballots: Self.dotBallots))
        #expect(r.codes == ["C", "A", "B"])
        #expect(r.items.map(\.score) == [2, 1.5, 1.25])
        // Only science has a share: industry weighs 0. A 0, B 2, C 3.
        let s = Tally.compute(try makeRound(Self.dot, .custom([.science: 1]), codes: Self.codes, ballots: Self.dotBallots))
        #expect(s.codes == ["C", "B", "A"])
        #expect(s.items.map(\.score) == [3, 2, 0])
        // union has a share but cast no ballot: normalised over industry alone, w = 1/3.
        // A 6/3 = 2, B 3/3 = 1, C 5/3.
        let u = Tally.compute(try makeRound(Self.dot, .custom([.industry: 1, .union: 1]), codes: Self.codes, ballots: Self.dotBallots))
        #expect(u.codes == ["A", "C", "B"])
        #expect(close(u.item("A").score, 2) && close(u.item("B").score, 1) && close(u.item("C").score, 5.0 / 3))
    }

    /// industry: [A B], [A], [A C]; science: [B C], [C].
    static let approvalBallots = [
        b.approval(.industry, ["A", "B"]),
        b.approval(.industry, ["A"]),
        b.approval(.industry, ["A", "C"]),
        b.approval(.science, ["B", "C"]),
        b.approval(.science, ["C"]),
    ]

    @Test("approval, proportional: shares of ballots, exact tie ordered by code")
    func approvalProportional() throws {
        let r = Tally.compute(try makeRound(.approval, codes: Self.codes, ballots: Self.approvalBallots))
        // A 3/5 = 0.6, B 2/5 = 0.4, C 3/5 = 0.6: A and C share rank 1, B is 3rd.
        #expect(r.codes == ["A", "C", "B"])
        #expect(r.ranks == [1, 1, 3])
        #expect(r.items.map(\.score) == [0.6, 0.6, 0.4])
        #expect(r.items.map(\.supporters) == [3, 3, 2])
        // By group: industry A 3/3, B 1/3, C 1/3; science A 0, B 1/2, C 2/2.
        #expect(r.item("A").byGroup[.industry]?.score == 1)
        #expect(r.item("B").byGroup[.science]?.score == 0.5)
        #expect(r.item("C").byGroup[.science] == GroupScore(score: 1, ballots: 2))
    }

    @Test("approval, equal")
    func approvalEqual() throws {
        let r = Tally.compute(try makeRound(.approval, .equal, codes: Self.codes, ballots: Self.approvalBallots))
        // w_industry = 1/(2·3) = 1/6, w_science = 1/(2·2) = 1/4; total weight 3/6 + 2/4 = 1.
        // A = 3/6 = 0.5, B = 1/6 + 1/4 = 5/12, C = 1/6 + 2/4 = 2/3.
        #expect(r.codes == ["C", "A", "B"])
        #expect(close(r.item("A").score, 0.5) && close(r.item("B").score, 5.0 / 12) && close(r.item("C").score, 2.0 / 3))
    }

    @Test("approval, custom")
    func approvalCustom() throws {
        let r = Tally.compute(try makeRound(.approval, .custom([.industry: 1, .science: 3]), codes: Self.codes, ballots: Self.approvalBallots))
        // 0.25 / 0.75: w_industry = 0.25/3 = 1/12, w_science = 0.75/2 = 3/8; total weight 1.
        // A = 3/12 = 0.25, B = 1/12 + 3/8 = 11/24, C = 1/12 + 6/8 = 5/6.
        #expect(r.codes == ["C", "B", "A"])
        #expect(close(r.item("A").score, 0.25) && close(r.item("B").score, 11.0 / 24) && close(r.item("C").score, 5.0 / 6))
    }

    @Test("Consensus and controversy of approval items")
    func agreementOfItems() throws {
        let r = Tally.compute(try makeRound(.approval, codes: Self.codes, ballots: Self.approvalBallots))
        // A: industry 3 of 3 → 4/5 = 0.8, science 0 of 2 → 1/4 = 0.25.
        // consensus √(0.8 · 0.25) = √0.2 ≈ 0.4472; controversy 2 · |0.8 − 0.25| / 2 = 0.55.
        #expect(close(r.item("A").consensus, 0.2.squareRoot()))
        #expect(close(r.item("A").controversy, 0.55))
        // C: industry 1 of 3 → 2/5, science 2 of 2 → 3/4: √0.3, controversy 0.35.
        #expect(close(r.item("C").consensus, 0.3.squareRoot()))
        #expect(close(r.item("C").controversy, 0.35))
    }

    @Test("Equal weights are order independent bit for bit")
    func equalTiesAreExact() throws {
        // Groups of 3, 5 and 7 ballots: weights 1/9, 1/15, 1/21 are inexact in binary.
        // A: one approval from each group; B: the same, from other ballots → a true tie.
        let b = BallotBuilder(codes: ["A", "B", "C"])
        var ballots: [Ballot] = []
        for (group, size) in [(StakeholderGroup.industry, 3), (.science, 5), (.union, 7)] {
            for k in 0..<size {
                ballots.append(b.approval(group, k == 0 ? ["A"] : (k == 1 ? ["B"] : ["C"])))
            }
        }
        let r = Tally.compute(try makeRound(.approval, .equal, codes: ["A", "B", "C"], ballots: ballots))
        #expect(r.item("A").rank == r.item("B").rank)
        #expect(r.item("A").score == r.item("B").score)
    }
}
