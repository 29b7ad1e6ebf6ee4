import Testing
@testable import WerkstattVoting

@Suite("Majority Judgment")
struct MajorityJudgmentTests {
    // Wikipedia's "Majority judgment" Tennessee example: each voter grades the four cities
    // Excellent, Good, Fair, Poor by closeness. Mapped to grades: Excellent 5, Good 4,
    // Fair 2, Poor 1. Voters: Memphis 42 %, Nashville 26 %, Chattanooga 15 %, Knoxville 17 %.
    static let codes = ["Chattanooga", "Knoxville", "Memphis", "Nashville"]
    static let voters: [(share: Int, group: StakeholderGroup, grades: [(String, Int)])] = [
        (42, .industry, [("Memphis", 5), ("Nashville", 4), ("Chattanooga", 2), ("Knoxville", 1)]),
        (26, .science, [("Nashville", 5), ("Chattanooga", 4), ("Knoxville", 2), ("Memphis", 1)]),
        (15, .association, [("Chattanooga", 5), ("Knoxville", 4), ("Nashville", 2), ("Memphis", 1)]),
        (17, .union, [("Knoxville", 5), ("Chattanooga", 4), ("Nashville", 2), ("Memphis", 1)]),
    ]

    @Test("Tennessee: Nashville wins the tie on Good against Chattanooga by majority value")
    func tennessee() throws {
        let b = BallotBuilder(codes: Self.codes)
        var ballots: [Ballot] = []
        for v in Self.voters {
            for _ in 0..<v.share { ballots.append(b.score(v.group, v.grades)) }
        }
        let result = Tally.compute(try makeRound(.score, codes: Self.codes, ballots: ballots))
        // Majority grades (lower median of 100): Nashville Good (Fair 32 | Good 42 | Exc 26),
        // Chattanooga Good (Fair 42 | Good 43 | Exc 15), Knoxville Fair, Memphis Poor.
        // Tie-break: removing the median "Good" one at a time, Chattanooga's median falls to
        // Fair after 16 removals (42 below vs 58 at or above), Nashville's only after 36.
        #expect(result.codes == ["Nashville", "Chattanooga", "Knoxville", "Memphis"])
        #expect(result.ranks == [1, 2, 3, 4])
        #expect(result.items.map(\.medianGrade) == [4, 4, 2, 1])
        #expect(result.items.map(\.score) == [4, 4, 2, 1])
        // Means: Nashville (26·5 + 42·4 + 32·2)/100 = 3.62; Chattanooga (15·5 + 43·4 + 42·2)/100
        // = 3.31; Knoxville (17·5 + 15·4 + 26·2 + 42·1)/100 = 2.39; Memphis (42·5 + 58)/100 = 2.68
        // (Memphis has the better mean but the worse majority grade).
        #expect(close(result.item("Nashville").meanGrade, 3.62))
        #expect(close(result.item("Chattanooga").meanGrade, 3.31))
        #expect(close(result.item("Knoxville").meanGrade, 2.39))
        #expect(close(result.item("Memphis").meanGrade, 2.68))
        // Supporters = grade ≥ 3: Nashville 42 + 26 = 68, Memphis 42.
        #expect(result.item("Nashville").supporters == 68)
        #expect(result.item("Memphis").supporters == 42)
    }

    @Test("Tennessee with one ballot per city and custom shares gives the same order")
    func tennesseeWeighted() throws {
        let b = BallotBuilder(codes: Self.codes)
        let ballots = Self.voters.map { b.score($0.group, $0.grades) }
        let shares: [StakeholderGroup: Double] = [.industry: 0.42, .science: 0.26, .association: 0.15, .union: 0.17]
        let result = Tally.compute(try makeRound(.score, .custom(shares), codes: Self.codes, ballots: ballots))
        // Weighted lower median with masses 0.42/0.26/0.15/0.17 as above; one step removes the
        // mean ballot weight 0.25: Chattanooga's median falls after 1 step, Nashville's after 2.
        #expect(result.codes == ["Nashville", "Chattanooga", "Knoxville", "Memphis"])
        #expect(result.ranks == [1, 2, 3, 4])
        // By group: each group's own grade, unweighted.
        #expect(result.item("Memphis").byGroup[.industry] == GroupScore(score: 5, ballots: 1))
        #expect(result.item("Memphis").byGroup[.science] == GroupScore(score: 1, ballots: 1))
    }

    @Test("Majority value breaks a tie on the median: [1,2,2,4] beats [0,2,2,5]")
    func smallTieBreak() throws {
        // Both medians 2 (lower median of four). Remove one 2 each: {1,2,4} and {0,2,5}, medians
        // 2 and 2. Remove again: {1,4} and {0,5}, lower medians 1 and 0 → A wins.
        #expect(MajorityJudgment.compare([0, 1, 2, 0, 1, 0], [1, 0, 2, 0, 0, 1], unit: 1) == 1)
        #expect(MajorityJudgment.compare([1, 0, 2, 0, 0, 1], [0, 1, 2, 0, 1, 0], unit: 1) == -1)
        let b = BallotBuilder(codes: ["A", "B"])
        let ballots = [
            b.score(.industry, [("A", 1), ("B", 0)]),
            b.score(.industry, [("A", 2), ("B", 2)]),
            b.score(.science, [("A", 2), ("B", 2)]),
            b.score(.science, [("A", 4), ("B", 5)]),
        ]
        let result = Tally.compute(try makeRound(.score, codes: ["A", "B"], ballots: ballots))
        #expect(result.codes == ["A", "B"])
        #expect(result.ranks == [1, 2])
        #expect(result.items.map(\.medianGrade) == [2, 2])
        // Means: A 9/4, B 9/4 — equal, and still not a tie.
        #expect(result.item("A").meanGrade == 2.25 && result.item("B").meanGrade == 2.25)
    }

    @Test("Identical distributions tie; ungraded items rank last")
    func tiesAndUngraded() throws {
        let b = BallotBuilder(codes: ["A", "B", "C"])
        let ballots = [
            b.score(.industry, [("A", 3), ("B", 3)]),
            b.score(.science, [("A", 1), ("B", 1)]),
        ]
        let result = Tally.compute(try makeRound(.score, codes: ["A", "B", "C"], ballots: ballots))
        #expect(result.codes == ["A", "B", "C"])
        #expect(result.ranks == [1, 1, 3])
        #expect(result.item("C").medianGrade == nil)
        #expect(result.item("C").meanGrade == nil)
        #expect(result.item("C").score == 0)
        #expect(result.item("A").medianGrade == 1)
    }

    @Test("Lower median: the lower of the two middle grades")
    func lowerMedian() {
        #expect(MajorityJudgment.lowerMedian([0, 1, 0, 0, 1, 0]) == 1)
        #expect(MajorityJudgment.lowerMedian([0, 0, 0, 0, 0, 0]) == nil)
        #expect(MajorityJudgment.lowerMedian([0, 0, 0, 2, 0, 1]) == 3)
        #expect(MajorityJudgment.lowerMedian([0.5, 0, 0, 0, 0, 0.5]) == 0)
        #expect(MajorityJudgment.lowerMedian([0.5, 0, 0, 0, 0, 0.5000001]) == 5)
    }

    /// Naive majority value: sort the grades, remove the lower median one at a time.
    static func naiveCompare(_ a: [Int], _ b: [Int]) -> Int {
        var a = a.sorted(), b = b.sorted()
        while true {
            if a.isEmpty && b.isEmpty { return 0 }
            if a.isEmpty { return -1 }
            if b.isEmpty { return 1 }
            let ia = (a.count - 1) / 2, ib = (b.count - 1) / 2
            if a[ia] != b[ib] { return a[ia] > b[ib] ? 1 : -1 }
            a.remove(at: ia)
            b.remove(at: ib)
        }
    }

    @Test("Closed-form jumps agree with stepping one ballot at a time (seeded, 2000 cases)")
    func jumpsMatchStepping() {
        var rng = Xoshiro256StarStar(seed: 7)
        for _ in 0..<2000 {
            func grades() -> [Int] {
                let count = 1 + Int(rng.next(below: 25))
                let spread = 1 + Int(rng.next(below: 6))
                let low = Int(rng.next(below: UInt64(7 - spread)))
                return (0..<count).map { _ in low + Int(rng.next(below: UInt64(spread))) }
            }
            let a = grades(), b = grades()
            func mass(_ g: [Int]) -> [Double] {
                var m = [Double](repeating: 0, count: 6)
                for x in g { m[x] += 1 }
                return m
            }
            #expect(MajorityJudgment.compare(mass(a), mass(b), unit: 1) == Self.naiveCompare(a, b), "\(a) vs \(b)")
        }
    }

    @Test("Scaling all weights does not change the comparison")
    func scaleInvariant() {
        let a: [Double] = [0, 1, 2, 0, 1, 0], b: [Double] = [1, 0, 2, 0, 0, 1]
        let k = 1.0 / 7.0
        #expect(MajorityJudgment.compare(a.map { $0 * k }, b.map { $0 * k }, unit: k) == 1)
    }
}
