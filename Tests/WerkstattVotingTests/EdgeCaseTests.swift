import Foundation
import Testing
@testable import WerkstattVoting

@Suite("Edge cases and JSON")
struct EdgeCaseTests {
    @Test("A round without ballots: everybody tied at 1, nothing supported")
    func noBallots() throws {
        for method in [Method.dotDefaults(), .approval, .score, .ranking] {
            let r = Tally.compute(try makeRound(method, .equal, codes: ["B", "A"], ballots: [], samples: 50))
            #expect(r.ballotsCounted == 0)
            #expect(r.codes == ["A", "B"])
            #expect(r.ranks == [1, 1])
            #expect(r.items.allSatisfy { $0.supporters == 0 && $0.consensus == 0 && $0.byGroup.isEmpty })
            #expect(r.items.allSatisfy { $0.rankInterval == RankInterval(lo: 1, hi: 1) })
            #expect(r.digest.count == 64)
        }
    }

    @Test("A round without candidates")
    func noCandidates() throws {
        for kind in Method.Kind.allCases {
            let method: Method = kind == .dot ? .dotDefaults() : (kind == .approval ? .approval : (kind == .score ? .score : .ranking))
            let input = try RoundInput(method: method, candidates: [], ballots: BallotSet(kind: kind))
            #expect(Tally.compute(input).items.isEmpty)
        }
    }

    @Test("Results, methods and balances round-trip through JSON in the API's shape")
    func json() throws {
        let codes = ["A", "B", "C"]
        let b = BallotBuilder(codes: codes)
        let input = try makeRound(.score, .custom([.industry: 2, .civilSociety: 1]), codes: codes, ballots: [
            b.score(.industry, [("A", 5), ("B", 2)]),
            b.score(.civilSociety, [("A", 3), ("C", 4)]),
        ], samples: 20)
        let result = Tally.compute(input)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(result)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"balance\":{\"custom\":{\"civil_society\":1,\"industry\":2}}"))
        #expect(text.contains("\"method\":{\"method\":\"score\"}"))
        // One ballot per group: a stratified resample can only redraw that ballot.
        #expect(text.contains("\"rank_interval\":[1,1]"))
        #expect(text.contains("\"by_group\":{\"civil_society\":{\"ballots\":1,\"score\":3}"))
        #expect(text.contains("\"recommendation_id\":\"id-A\""))
        #expect(!text.contains("borda"))
        #expect(try JSONDecoder().decode(RoundResult.self, from: data) == result)

        for balance in [Balance.proportional, .equal, .custom([.union: 0.5])] {
            #expect(try JSONDecoder().decode(Balance.self, from: try JSONEncoder().encode(balance)) == balance)
        }
        #expect(try JSONDecoder().decode(Balance.self, from: Data("\"equal\"".utf8)) == .equal)
        #expect(try JSONDecoder().decode(Method.self, from: Data("{\"method\":\"dot\",\"points_per_member\":7}".utf8))
                == .dot(pointsPerMember: 7, maxPointsPerItem: 7))
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Balance.self, from: Data("\"fair\"".utf8)) }
    }

    @Test("BallotSet keeps ballots, sorts unordered entries, keeps ranking order")
    func ballotSet() {
        var set = BallotSet(kind: .dot)
        set.append(Ballot(key: 9, group: .union, content: .dot([Mark(item: 4, value: 1), Mark(item: 1, value: 3)])))
        set.addEntry(item: 2, value: 2)
        set.addEntry(item: 0, value: 1)
        set.commitBallot(key: 10, group: .politics)
        #expect(set.count == 2 && set.entryCount == 4)
        #expect(set[0] == Ballot(key: 9, group: .union, content: .dot([Mark(item: 1, value: 3), Mark(item: 4, value: 1)])))
        #expect(set[1].content == .dot([Mark(item: 0, value: 1), Mark(item: 2, value: 2)]))
        #expect(set.ballotsPerGroup() == [.union: 1, .politics: 1])
        let ranking = BallotSet(kind: .ranking, [Ballot(group: .other, content: .ranking([3, 0, 2]))])
        #expect(ranking[0].content == .ranking([3, 0, 2]))
    }
}
