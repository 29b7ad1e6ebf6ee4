import Testing
@testable import WerkstattVoting

@Suite("Ballot validation")
struct ValidationTests {
    static let ids = ["r-1", "r-2", "r-3"]
    static let dot = Method.dot(pointsPerMember: 5, maxPointsPerItem: 3)

    @Test("A valid dot ballot becomes indices in the round's order")
    func validDot() {
        let v = BallotRules.validate(.points(["r-3": 2, "r-1": 3]), method: Self.dot, candidateIDs: Self.ids)
        #expect(v.isValid)
        #expect(v.content == .dot([Mark(item: 0, value: 3), Mark(item: 2, value: 2)]))
    }

    @Test("dot: over budget, over the per-item maximum, below 1, unknown id, empty")
    func invalidDot() {
        let v = BallotRules.validate(.points(["r-1": 3, "r-2": 3, "r-3": 0, "x": 1]), method: Self.dot, candidateIDs: Self.ids)
        #expect(!v.isValid)
        #expect(v.content == nil)
        #expect(v.violations.map(\.field) == ["points", "points.r-3", "points.x"])
        #expect(v.violations[0].message.contains("6 points"))
        let over = BallotRules.validate(.points(["r-1": 4]), method: Self.dot, candidateIDs: Self.ids)
        #expect(over.violations.map(\.field) == ["points.r-1"])
        let empty = BallotRules.validate(.points([:]), method: Self.dot, candidateIDs: Self.ids)
        #expect(empty.violations.map(\.field) == ["points"])
    }

    @Test("approval: duplicates and unknown ids by position, empty refused")
    func approval() {
        let ok = BallotRules.validate(.approve(["r-3", "r-1"]), method: .approval, candidateIDs: Self.ids)
        #expect(ok.content == .approval([0, 2]))
        let bad = BallotRules.validate(.approve(["r-1", "nope", "r-1"]), method: .approval, candidateIDs: Self.ids)
        #expect(bad.violations.map(\.field) == ["approve[1]", "approve[2]"])
        #expect(BallotRules.validate(.approve([]), method: .approval, candidateIDs: Self.ids).violations.map(\.field) == ["approve"])
    }

    @Test("score: grades 0...5 only")
    func score() {
        let ok = BallotRules.validate(.grades(["r-2": 0, "r-1": 5]), method: .score, candidateIDs: Self.ids)
        #expect(ok.content == .score([Mark(item: 0, value: 5), Mark(item: 1, value: 0)]))
        let bad = BallotRules.validate(.grades(["r-2": 6, "r-1": -1]), method: .score, candidateIDs: Self.ids)
        #expect(bad.violations.map(\.field) == ["grades.r-1", "grades.r-2"])
    }

    @Test("ranking keeps the order and refuses repeats")
    func ranking() {
        let ok = BallotRules.validate(.ranking(["r-3", "r-1"]), method: .ranking, candidateIDs: Self.ids)
        #expect(ok.content == .ranking([2, 0]))
        let bad = BallotRules.validate(.ranking(["r-3", "r-3"]), method: .ranking, candidateIDs: Self.ids)
        #expect(bad.violations == [BallotViolation(field: "ranking[1]", message: "r-3 is already at position 0; name each recommendation once.")])
    }

    @Test("A ballot of the wrong form names the expected field")
    func wrongForm() {
        let v = BallotRules.validate(.approve(["r-1"]), method: Self.dot, candidateIDs: Self.ids)
        #expect(v.violations.map(\.field) == ["points"])
    }

    @Test("Round settings")
    func settings() {
        #expect(BallotRules.validate(method: .dot(pointsPerMember: 5, maxPointsPerItem: 5)).isEmpty)
        #expect(BallotRules.validate(method: .dot(pointsPerMember: 0, maxPointsPerItem: 6)).map(\.field) == ["points_per_member", "max_points_per_item"])
        #expect(Method.dotDefaults() == .dot(pointsPerMember: 5, maxPointsPerItem: 5))
        #expect(BallotRules.validate(balance: .custom([.industry: 1])).isEmpty)
        #expect(BallotRules.validate(balance: .custom([.industry: -1])).map(\.field) == ["balance.custom", "balance.custom.industry"])
        #expect(BallotRules.validate(balance: .custom([:])).map(\.field) == ["balance.custom"])
    }

    @Test("RoundInput refuses structurally broken ballot sets")
    func structure() {
        let cands = candidates(["A", "B"])
        var set = BallotSet(kind: .ranking)
        set.append(Ballot(group: .other, content: .ranking([0, 0])))
        #expect(throws: RoundInputError.duplicateCandidate(ballot: 0, item: 0)) {
            try RoundInput(method: .ranking, candidates: cands, ballots: set)
        }
        var far = BallotSet(kind: .approval)
        far.append(Ballot(group: .other, content: .approval([5])))
        #expect(throws: RoundInputError.unknownCandidate(ballot: 0, item: 5)) {
            try RoundInput(method: .approval, candidates: cands, ballots: far)
        }
        #expect(throws: RoundInputError.methodMismatch(expected: .score, got: .approval)) {
            try RoundInput(method: .score, candidates: cands, ballots: far)
        }
        var grade = BallotSet(kind: .score)
        grade.append(Ballot(group: .other, content: .score([Mark(item: 1, value: 6)])))
        #expect(throws: RoundInputError.valueOutOfRange(ballot: 0, item: 1, value: 6)) {
            try RoundInput(method: .score, candidates: cands, ballots: grade)
        }
    }
}
