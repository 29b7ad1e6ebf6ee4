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
            werkstatt-tally/2
            method dot 5 3
            balance custom industry=0.5 science=0.25
            min_group_size 1
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
        #expect(Digest.sha256Hex(input) == "57c73f4d322aedaeb36f12677bf407fb63292bde779133808ce3b51be27abafd")
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

    /// (group, entries) of a ballot, for a naive reference sort.
    static func sortKey(_ b: Ballot) -> (Int, [Int]) {
        switch b.content {
        case .dot(let m), .score(let m): return (b.group.ordinal, m.flatMap { [$0.item, $0.value] })
        case .approval(let l), .ranking(let l): return (b.group.ordinal, l)
        }
    }

    @Test("Radix-sorted canonical order equals a naive sort, also for ballots longer than a key")
    func canonicalOrder() {
        var rng = Xoshiro256StarStar(seed: 11)
        for kind in Method.Kind.allCases {
            for n in [3, 60, 300, 5000] {
                var ballots: [Ballot] = []
                // A small pool of items makes long shared prefixes common.
                let pool = (0..<6).map { _ in Int(rng.next(below: UInt64(n))) }
                for _ in 0..<(n == 300 ? 5000 : 400) {
                    var items: [Int] = []
                    let length = 1 + Int(rng.next(below: 14))
                    var candidates = Array(Set(pool + (0..<8).map { _ in Int(rng.next(below: UInt64(n))) }))
                    candidates.sort()
                    if kind == .ranking { candidates.shuffle(using: &rng) }
                    for c in candidates.prefix(length) where items.count < length { items.append(c) }
                    let group = StakeholderGroup(ordinal: Int(rng.next(below: 2)))!
                    let content: Ballot.Content = switch kind {
                    case .dot: .dot(items.map { Mark(item: $0, value: 1 + Int(rng.next(below: 2))) })
                    case .score: .score(items.map { Mark(item: $0, value: Int(rng.next(below: 2))) })
                    case .approval: .approval(items)
                    case .ranking: .ranking(items)
                    }
                    let ballot = Ballot(group: group, content: content)
                    ballots.append(ballot)
                    if rng.next(below: 4) == 0 { ballots.append(ballot) }
                }
                let set = BallotSet(kind: kind, ballots)
                let sorted = set.sortedCanonically()
                let fromSet = (0..<sorted.count).map { Self.sortKey(sorted[$0]) }
                let naive = (0..<set.count).map { Self.sortKey(set[$0]) }.sorted { a, b in
                    a.0 != b.0 ? a.0 < b.0 : a.1.lexicographicallyPrecedes(b.1)
                }
                #expect(fromSet.map(\.0) == naive.map(\.0), "\(kind) n=\(n)")
                #expect(fromSet.map(\.1) == naive.map(\.1), "\(kind) n=\(n)")
            }
        }
    }
}
