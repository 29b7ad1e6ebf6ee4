import Testing
@testable import WerkstattVoting

/// Seeded random elections; every election includes "ALL" (supported by every ballot) and
/// "NONE" (supported by none).
struct RandomElection {
    var method: Method
    var balance: Balance
    var codes: [String]
    var ballots: [Ballot]
    var seed: UInt64

    static let groups = StakeholderGroup.allCases

    init(rng: inout Xoshiro256StarStar) {
        func pick(_ n: Int) -> Int { Int(rng.next(below: UInt64(n))) }
        let kind = Method.Kind.allCases[pick(4)]
        method = switch kind {
        case .dot: .dot(pointsPerMember: 5, maxPointsPerItem: 3)
        case .approval: .approval
        case .score: .score
        case .ranking: .ranking
        }
        // Few groups, and sometimes shares for groups that do not vote or a zero share.
        let voting = Array(Self.groups.shuffled(using: &rng).prefix(1 + pick(4)))
        switch pick(3) {
        case 0: balance = .proportional
        case 1: balance = .equal
        default:
            var shares: [StakeholderGroup: Double] = [:]
            for g in Self.groups where pick(3) > 0 { shares[g] = Double(pick(4)) / 2 }
            balance = .custom(shares)
        }
        let others = 1 + pick(5)
        codes = ["ALL", "NONE"] + (0..<others).map { "R\($0)" }
        let n = codes.count
        let all = 0, none = 1
        var ballots: [Ballot] = []
        for _ in 0..<(1 + pick(30)) {
            let group = voting[pick(voting.count)]
            // Other candidates in random order; a narrow value range makes ties common.
            let rest = Array(2..<n).shuffled(using: &rng)
            let content: Ballot.Content
            switch kind {
            case .dot:
                var budget = 5 - 1 - pick(2)
                var marks = [Mark(item: all, value: 1 + (4 - budget))]
                for item in rest where budget > 0 && pick(2) == 0 {
                    let p = 1 + pick(min(3, budget))
                    marks.append(Mark(item: item, value: p))
                    budget -= p
                }
                content = .dot(marks.shuffled(using: &rng))
            case .approval:
                content = .approval(([all] + rest.filter { _ in pick(2) == 0 }).shuffled(using: &rng))
            case .score:
                var marks = [Mark(item: all, value: 3 + pick(3))]
                if pick(2) == 0 { marks.append(Mark(item: none, value: pick(3))) }
                for item in rest where pick(4) > 0 { marks.append(Mark(item: item, value: 1 + pick(3))) }
                content = .score(marks.shuffled(using: &rng))
            case .ranking:
                var list = Array(rest.prefix(pick(rest.count + 1)))
                list.insert(all, at: pick(list.count + 1))
                content = .ranking(list)
            }
            ballots.append(Ballot(key: rng.next(), group: group, content: content))
        }
        self.ballots = ballots
        seed = rng.next()
    }

    func input(ballots: [Ballot]? = nil, codes: [String]? = nil, samples: Int = 15) throws -> RoundInput {
        let order = codes ?? self.codes
        // Candidates may be listed in another order: renumber the ballots accordingly.
        let position = self.codes.map { order.firstIndex(of: $0)! }
        let renumbered = (ballots ?? self.ballots).map { ballot -> Ballot in
            var b = ballot
            switch ballot.content {
            case .dot(let m): b.content = .dot(m.map { Mark(item: position[$0.item], value: $0.value) })
            case .score(let m): b.content = .score(m.map { Mark(item: position[$0.item], value: $0.value) })
            case .approval(let l): b.content = .approval(l.map { position[$0] })
            case .ranking(let l): b.content = .ranking(l.map { position[$0] })
            }
            return b
        }
        return try RoundInput(method: method, balance: balance, candidates: candidates(order),
                              ballots: BallotSet(kind: method.kind, renumbered), seed: seed, bootstrapSamples: samples)
    }
}

extension ItemResult {
    /// Everything but the input index, which legitimately follows the candidate order.
    var withoutIndex: ItemResult {
        var copy = self
        copy.candidate = -1
        return copy
    }
}

@Suite("Properties of seeded random elections")
struct PropertyTests {
    static let iterations = 200

    @Test("Permuting ballots changes neither digest nor result")
    func ballotOrder() throws {
        var rng = Xoshiro256StarStar(seed: 1)
        for _ in 0..<Self.iterations {
            let e = RandomElection(rng: &rng)
            let r = Tally.compute(try e.input())
            let shuffled = Tally.compute(try e.input(ballots: e.ballots.shuffled(using: &rng)))
            #expect(shuffled == r)
            #expect(shuffled.digest == r.digest)
        }
    }

    @Test("Permuting candidates changes neither digest nor any item's outcome")
    func candidateOrder() throws {
        var rng = Xoshiro256StarStar(seed: 2)
        for _ in 0..<Self.iterations {
            let e = RandomElection(rng: &rng)
            let r = Tally.compute(try e.input())
            let s = Tally.compute(try e.input(codes: e.codes.shuffled(using: &rng)))
            #expect(s.digest == r.digest)
            #expect(s.items.map(\.withoutIndex) == r.items.map(\.withoutIndex))
        }
    }

    @Test("Adding a ballot never changes a result computed before")
    func resultsAreValues() throws {
        var rng = Xoshiro256StarStar(seed: 3)
        for _ in 0..<Self.iterations {
            let e = RandomElection(rng: &rng)
            let stored = Tally.compute(try e.input())
            let copy = stored
            let more = Tally.compute(try e.input(ballots: e.ballots + [e.ballots[Int(rng.next(below: UInt64(e.ballots.count)))]]))
            #expect(more.ballotsCounted == stored.ballotsCounted + 1)
            #expect(stored == copy)
            #expect(Tally.compute(try e.input()) == stored)
        }
    }

    @Test("A candidate nobody supports never ranks above one everybody supports")
    func noneBelowAll() throws {
        var rng = Xoshiro256StarStar(seed: 4)
        var strictly = 0
        for _ in 0..<Self.iterations {
            let e = RandomElection(rng: &rng)
            let r = Tally.compute(try e.input())
            #expect(r.item("NONE").rank >= r.item("ALL").rank, "\(e.method) \(e.balance)")
            #expect(r.item("NONE").supporters == 0)
            #expect(r.item("ALL").supporters == e.ballots.count)
            if r.item("NONE").rank > r.item("ALL").rank { strictly += 1 }
        }
        // Only rounds where every voting group weighs 0 (custom) can tie them.
        #expect(strictly > Self.iterations / 2)
    }

    @Test("The rank interval contains the rank and is deterministic for a seed")
    func intervals() throws {
        var rng = Xoshiro256StarStar(seed: 5)
        var widths = 0
        for _ in 0..<Self.iterations {
            let e = RandomElection(rng: &rng)
            let input = try e.input(samples: 25)
            let r = Tally.compute(input)
            for item in r.items {
                #expect(item.rankInterval.lo <= item.rank && item.rank <= item.rankInterval.hi)
                #expect(item.rankInterval.lo >= 1 && item.rankInterval.hi <= e.codes.count)
                widths += item.rankInterval.hi - item.rankInterval.lo
            }
            #expect(Tally.compute(input) == r)
        }
        #expect(widths > 0)
    }

    @Test("Consensus and controversy stay in 0...1; per-group ballots add up")
    func ranges() throws {
        var rng = Xoshiro256StarStar(seed: 6)
        for _ in 0..<Self.iterations {
            let e = RandomElection(rng: &rng)
            let r = Tally.compute(try e.input(samples: 0))
            for item in r.items {
                #expect(item.consensus > 0 && item.consensus < 1)
                #expect(item.controversy >= 0 && item.controversy < 1)
                #expect(item.byGroup.values.map(\.ballots).reduce(0, +) == r.ballotsCounted)
                #expect(item.rankInterval == RankInterval(lo: item.rank, hi: item.rank))
            }
            #expect(r.items.map(\.rank) == r.items.map(\.rank).sorted())
        }
    }
}
