import Testing
@testable import WerkstattVoting

@Suite("Digest")
struct DigestTests {
    func tinyRound() throws -> RoundInput {
        // Input candidates deliberately not in code order: B first.
        let cands = [Candidate(code: "B", id: "uuid-b"), Candidate(code: "A", id: "uuid-a")]
        let ballots = BallotSet(kind: .dot, [
            Ballot(key: 3, group: .science, content: .dot([Mark(item: 0, value: 2), Mark(item: 1, value: 1)])),
            Ballot(key: 1, group: .industry, content: .dot([Mark(item: 0, value: 3)])),
            Ballot(key: 2, group: .industry, content: .dot([Mark(item: 1, value: 1), Mark(item: 0, value: 1)])),
        ])
        return try RoundInput(
            method: .dot(pointsPerMember: 5, maxPointsPerItem: 3),
            balance: .custom([.industry: 0.5, .science: 0.25]),
            candidates: cands, ballots: ballots, seed: 7, bootstrapSamples: 10)
    }

    @Test("Canonical form of a tiny round, and its SHA-256 from an independent implementation")
    func canonicalForm() throws {
        let input = try tinyRound()
        let expected = """
            werkstatt-tally/1
            method dot 5 3
            balance custom industry=0.5 science=0.25
            bootstrap 10 7
            candidates 2
            1:A 6:uuid-a
            1:B 6:uuid-b
            ballots 3
            industry 0:1 1:1
            industry 1:3
            science 0:1 1:2

            """
        #expect(Digest.canonicalForm(input) == expected)
        // `printf '%s' "<text above>" | sha256sum`
        #expect(Digest.sha256Hex(input) == "18d64e5299613b4f706462a1ca9edb9287dbc7cfc3c54d9247fe7004c548fc6d")
        #expect(Tally.compute(input).digest == Digest.sha256Hex(input))
    }

    @Test("Keys are not part of the digest; settings are")
    func whatCounts() throws {
        let input = try tinyRound()
        var rekeyed = BallotSet(kind: .dot)
        for b in 0..<input.ballots.count {
            var ballot = input.ballots[b]
            ballot.key = 1000 + UInt64(b)
            rekeyed.append(ballot)
        }
        let same = try RoundInput(method: input.method, balance: input.balance, candidates: input.candidates,
                                  ballots: rekeyed, seed: 7, bootstrapSamples: 10)
        #expect(Digest.sha256Hex(same) == Digest.sha256Hex(input))
        let otherSeed = try RoundInput(method: input.method, balance: input.balance, candidates: input.candidates,
                                       ballots: rekeyed, seed: 8, bootstrapSamples: 10)
        #expect(Digest.sha256Hex(otherSeed) != Digest.sha256Hex(input))
        let otherBalance = try RoundInput(method: input.method, balance: .equal, candidates: input.candidates,
                                          ballots: rekeyed, seed: 7, bootstrapSamples: 10)
        #expect(Digest.sha256Hex(otherBalance) != Digest.sha256Hex(input))
    }

    @Test("Codes with spaces and newlines cannot forge another candidate list")
    func lengthPrefixed() throws {
        let a = try RoundInput(method: .approval, candidates: [Candidate(code: "A 1:B", id: "x")],
                               ballots: BallotSet(kind: .approval, [Ballot(group: .other, content: .approval([0]))]))
        let text = Digest.canonicalForm(a)
        #expect(text.contains("5:A 1:B 1:x\n"))
    }
}
