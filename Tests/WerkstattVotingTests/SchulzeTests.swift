import Testing
@testable import WerkstattVoting

@Suite("Schulze and Borda")
struct SchulzeTests {
    /// The 45-voter example of the English Wikipedia article "Schulze method".
    static let wikipedia: [(count: Int, order: String)] = [
        (5, "A>C>B>E>D"), (5, "A>D>E>C>B"), (8, "B>E>D>A>C"), (3, "C>A>B>E>D"),
        (7, "C>A>E>B>D"), (2, "C>B>A>D>E"), (7, "D>C>E>B>A"), (8, "E>B>A>D>C"),
    ]
    static let codes = ["A", "B", "C", "D", "E"]

    func wikipediaRound(_ balance: Balance = .proportional) throws -> RoundInput {
        let b = BallotBuilder(codes: Self.codes)
        var ballots: [Ballot] = []
        for (count, order) in Self.wikipedia {
            for _ in 0..<count { ballots.append(b.ranking(.industry, order)) }
        }
        return try makeRound(.ranking, balance, codes: Self.codes, ballots: ballots)
    }

    @Test("Wikipedia example: E > A > C > B > D")
    func wikipediaRanking() throws {
        let result = Tally.compute(try wikipediaRound())
        #expect(result.codes == ["E", "A", "C", "B", "D"])
        #expect(result.ranks == [1, 2, 3, 4, 5])
        #expect(result.items.map(\.schulzeWins) == [4, 3, 2, 1, 0])
        #expect(result.items.map(\.score) == [4, 3, 2, 1, 0])
        #expect(result.ballotsCounted == 45)
        // Every ballot lists every candidate.
        #expect(result.items.allSatisfy { $0.supporters == 45 })
    }

    @Test("Wikipedia example: pairwise matrix and strongest paths")
    func wikipediaPaths() {
        // d[x][y] as printed in the article (A..E).
        let d: [[Double]] = [
            [0, 20, 26, 30, 22],
            [25, 0, 16, 33, 18],
            [19, 29, 0, 17, 24],
            [15, 12, 28, 0, 14],
            [23, 27, 21, 31, 0],
        ]
        let p = Schulze.strongestPaths(d: d)
        let expected: [[Double]] = [
            [0, 28, 28, 30, 24],
            [25, 0, 28, 33, 24],
            [25, 29, 0, 29, 24],
            [25, 28, 28, 0, 24],
            [25, 28, 28, 31, 0],
        ]
        #expect(p == expected)
        #expect(Schulze.wins(d: d) == [3, 1, 2, 0, 4])
    }

    @Test("Pairwise counts from ballots match the article's matrix")
    func pairwiseFromBallots() throws {
        let input = try wikipediaRound()
        let agg = Aggregates(counting: input.ballots, n: 5, trackSupport: false)
        let d = Schulze.pairwise(agg, weights: [Double](repeating: 1, count: 8))
        #expect(d == [0, 20, 26, 30, 22, 25, 0, 16, 33, 18, 19, 29, 0, 17, 24, 15, 12, 28, 0, 14, 23, 27, 21, 31, 0])
    }

    @Test("Borda beside Schulze: full rankings give n-1-position points")
    func bordaFull() throws {
        let result = Tally.compute(try wikipediaRound())
        // Borda(x) = Σ_y d[x][y] for full rankings: A 20+26+30+22 = 98, B 25+16+33+18 = 92,
        // C 19+29+17+24 = 89, D 15+12+28+14 = 69, E 23+27+21+31 = 102 (sum 450 = 45 × 10).
        #expect(result.item("A").borda == 98)
        #expect(result.item("B").borda == 92)
        #expect(result.item("C").borda == 89)
        #expect(result.item("D").borda == 69)
        #expect(result.item("E").borda == 102)
    }

    @Test("Partial rankings: unlisted tie below listed; Borda averages the remaining places")
    func partial() throws {
        let b = BallotBuilder(codes: ["A", "B", "C"])
        let input = try makeRound(.ranking, codes: ["A", "B", "C"], ballots: [
            b.ranking(.industry, ["A"]),        // A 2, B and C share places 1 and 0: 0.5 each
            b.ranking(.science, ["B", "C"]),    // B 2, C 1, A 0
        ])
        let result = Tally.compute(input)
        #expect(result.item("A").borda == 2)
        #expect(result.item("B").borda == 2.5)
        #expect(result.item("C").borda == 1.5)
        // d: A>B 1, B>A 1, A>C 1, C>A 1, B>C 1 (ballot 2), C>B 0 → only B→C is a link.
        #expect(result.item("B").schulzeWins == 1)
        #expect(result.item("A").schulzeWins == 0)
        #expect(result.item("C").schulzeWins == 0)
        #expect(result.codes == ["B", "A", "C"])
        #expect(result.ranks == [1, 2, 2])
        #expect(result.item("A").supporters == 1)
        #expect(result.item("C").supporters == 1)
        // Per group: industry alone has A beating B and C; science alone has B > C > A.
        #expect(result.item("A").byGroup[.industry]?.score == 2)
        #expect(result.item("B").byGroup[.science]?.score == 2)
        #expect(result.item("C").byGroup[.science]?.score == 1)
    }

    @Test("Weighted pairwise preferences: equal balance can turn the winner")
    func weighted() throws {
        let b = BallotBuilder(codes: ["A", "B"])
        // 3 industry ballots A>B, 1 science ballot B>A.
        let ballots = [b.ranking(.industry, "A>B"), b.ranking(.industry, "A>B"), b.ranking(.industry, "A>B"), b.ranking(.science, "B>A")]
        let proportional = Tally.compute(try makeRound(.ranking, codes: ["A", "B"], ballots: ballots))
        #expect(proportional.codes == ["A", "B"])
        // Equal: industry ballots weigh 1/6, the science ballot 1/2: d[A][B] = 0.5 = d[B][A]: tie.
        let equal = Tally.compute(try makeRound(.ranking, .equal, codes: ["A", "B"], ballots: ballots))
        #expect(equal.ranks == [1, 1])
        // Custom science 0.75: d[B][A] = 0.75 > d[A][B] = 0.25.
        let custom = Tally.compute(try makeRound(.ranking, .custom([.industry: 1, .science: 3]), codes: ["A", "B"], ballots: ballots))
        #expect(custom.codes == ["B", "A"])
    }
}
