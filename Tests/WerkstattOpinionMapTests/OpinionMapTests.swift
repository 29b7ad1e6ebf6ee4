import Testing
import WerkstattVoting
@testable import WerkstattOpinionMap

@Suite("Opinion map")
struct OpinionMapTests {
    @Test("The worked example of docs/methods.md, end to end")
    func workedExample() throws {
        let map = try OpinionMap.compute(PrincipalComponentsTests.input(PrincipalComponentsTests.worked, minStances: 3))
        #expect(map.participants == 4 && map.placed == 4 && map.needed == 4)
        // Only g = 2 fits 4 participants with k = 2.
        #expect(Array(map.silhouettes.keys) == [2])
        #expect(abs((map.silhouettes[2] ?? 0) - 0.3643255096) < 1e-9)
        // Equal sizes: the group further left (x = −√2) comes first.
        #expect(map.groups.map(\.size) == [2, 2])
        #expect(map.points.map(\.group) == [1, 1, 0, 0])
        #expect(abs(map.groups[0].centroid[0] + 2.0.squareRoot()) < 1e-9 && abs(map.groups[0].centroid[1]) < 1e-9)
        // Two members make nothing significant: unanimity gives z = √2, p ≈ 0.079.
        #expect(map.groups.allSatisfy { $0.representative.isEmpty })
        // Consensus: thesis 2 (1 of 2 agree in each group) (2/4)², theses 0 and 1 (0 and 2 of 2) 1/4 · 3/4.
        #expect(map.consensus.map(\.thesis) == [2, 0, 1])
        #expect(abs(map.consensus[0].value - 0.25) < 1e-15 && abs(map.consensus[1].value - 3.0 / 16) < 1e-15)
        #expect(map.thesisVotes[2] == .init(thesis: 2, agree: 2, disagree: 2, pass: 0))
        // Everyone declared industry: one column of 2 and 2.
        #expect(map.crossTable.columns.map(\.key) == ["industry"] && map.crossTable.counts == [[2], [2]])
    }

    @Test("The z-test of the worked example: 24 of 30 against 15 of 50")
    func zTest() {
        let r = Representatives.test(votes: 24, seen: 30, restVotes: 15, restSeen: 50)
        #expect(r.groupRate == 25.0 / 32 && abs(r.restRate - 16.0 / 52) < 1e-15)
        #expect(abs(r.z - 4.216606203830241) < 1e-12)
        #expect(abs(r.pValue - 1.2400325619120849e-05) < 1e-15)
        #expect(abs(Representatives.upperTail(0) - 0.5) < 1e-15)
        #expect(abs(Representatives.upperTail(1.959963984540054) - 0.025) < 1e-12)
    }

    @Test("Planted blocs across the declared groups are recovered (adjusted Rand index ≥ 0.9)")
    func plantedBlocs() throws {
        let w = SyntheticWorkshop(participants: 400, theses: 40, density: 0.5, seed: 2024)
        let map = try OpinionMap.compute(w.input)
        #expect(map.isSufficient)
        #expect(map.groups.count == 2)
        #expect(map.points.count == map.placed && map.placed > 390)
        let truth = map.points.map { w.bloc[$0.participant] }
        let ari = adjustedRandIndex(truth, map.points.map(\.group))
        #expect(ari >= 0.9, "ARI \(ari)")
        // What sets a bloc apart: theses of its own half, agreed with, or of the other half, disagreed with.
        for group in map.groups {
            #expect(group.representative.count == 5)
            #expect(group.representative.allSatisfy { $0.pValue < 0.05 && $0.groupRate > $0.restRate })
            #expect(zip(group.representative, group.representative.dropFirst()).allSatisfy { $0.z >= $1.z })
        }
        #expect(map.components[0].explainedVariance > map.components[1].explainedVariance)
        // Each declared group is split half and half: every column shows both blocs.
        #expect(map.crossTable.columns.count == StakeholderGroup.count && map.crossTable.withheld.isEmpty)
    }

    @Test("Thin evidence: a thesis with two agreeing stances among 1,000 has consensus ≤ 0.2")
    func thinEvidence() throws {
        var w = SyntheticWorkshop(participants: 1_000, theses: 40, density: 0.5, seed: 5)
        w.input.thesisCount = 41
        w.input.stances += [.init(participant: 0, thesis: 40, vote: .agree), .init(participant: 1, thesis: 40, vote: .agree)]
        let map = try OpinionMap.compute(w.input)
        #expect(map.isSufficient && map.placed == 1_000, "placed \(map.placed)")
        let thin = try #require(map.consensus.first { $0.thesis == 40 })
        #expect(thin.value <= 0.2)
        #expect(map.consensus.count == 41 && map.thesisVotes[40] == .init(thesis: 40, agree: 2, disagree: 0, pass: 0))
    }

    @Test("Same input, same map; another seed, the same groups on clear data")
    func determinism() throws {
        let w = SyntheticWorkshop(participants: 300, theses: 30, blocs: 3, density: 0.5, noise: 0.1, seed: 8)
        let a = try OpinionMap.compute(w.input)
        let b = try OpinionMap.compute(w.input)
        #expect(a == b)
        var reseeded = w.input
        reseeded.seed = 12_345
        let c = try OpinionMap.compute(reseeded)
        #expect(c.groups.count == 3)
        #expect(c.points.map(\.group) == a.points.map(\.group))
        #expect(c.groups.map(\.size) == a.groups.map(\.size))
        // Stance order does not matter either.
        var shuffled = w.input
        shuffled.stances.reverse()
        #expect(try OpinionMap.compute(shuffled) == a)
    }

    @Test("Malformed input gives the typed error")
    func badInput() {
        let groups: [StakeholderGroup] = [.industry, .science]
        func attempt(_ input: OpinionInput) -> OpinionInputError? {
            do { _ = try OpinionMap.compute(input); return nil } catch { return error as? OpinionInputError }
        }
        let ok = OpinionInput.Stance(participant: 0, thesis: 0, vote: .agree)
        #expect(attempt(.init(groups: groups, thesisCount: 2, stances: [ok, .init(participant: 2, thesis: 0, vote: .agree)], minGroupSize: 2))
            == .participantOutOfRange(participant: 2))
        #expect(attempt(.init(groups: groups, thesisCount: 2, stances: [.init(participant: -1, thesis: 0, vote: .agree)], minGroupSize: 2))
            == .participantOutOfRange(participant: -1))
        #expect(attempt(.init(groups: groups, thesisCount: 2, stances: [.init(participant: 1, thesis: 2, vote: .pass)], minGroupSize: 2))
            == .thesisOutOfRange(thesis: 2))
        #expect(attempt(.init(groups: groups, thesisCount: 2, stances: [ok, .init(participant: 1, thesis: 1, vote: .agree),
                                                                         .init(participant: 0, thesis: 0, vote: .disagree)], minGroupSize: 2))
            == .duplicateStance(participant: 0, thesis: 0))
        #expect(attempt(.init(groups: groups, thesisCount: 2, stances: [ok], minStances: 0, minGroupSize: 2)) == .minStancesBelowOne(0))
        #expect(attempt(.init(groups: groups, thesisCount: 2, stances: [ok], minGroupSize: 0)) == .minGroupSizeBelowOne(0))
        #expect(attempt(.init(groups: groups, thesisCount: -1, stances: [], minGroupSize: 2)) == .negativeThesisCount(-1))
        #expect(attempt(.init(groups: groups, thesisCount: 2, stances: [ok], minGroupSize: 2)) == nil)
    }

    @Test("Fewer than 2k placed participants: an insufficient map that still counts stances")
    func insufficient() throws {
        // 9 placed (7+ stances) and one with 3 stances; k = 5 needs 10 placed.
        let w = SyntheticWorkshop(participants: 9, theses: 10, density: 1, minGroupSize: 5, seed: 3)
        var input = w.input
        input.groups.append(.union)
        input.stances += (0..<3).map { .init(participant: 9, thesis: Int32($0), vote: .agree) }
        let map = try OpinionMap.compute(input)
        #expect(!map.isSufficient)
        #expect(map.participants == 10 && map.placed == 9 && map.needed == 10)
        #expect(map.components.isEmpty && map.points.isEmpty && map.groups.isEmpty && map.silhouettes.isEmpty)
        #expect(map.crossTable.columns.isEmpty && map.crossTable.counts.isEmpty)
        #expect(map.thesisVotes.reduce(0) { $0 + $1.agree + $1.disagree + $1.pass } == input.stances.count)
        // One group of all ten: (agree + 1) / 12.
        for c in map.consensus {
            #expect(c.value == Double(map.thesisVotes[c.thesis].agree + 1) / 12)
        }
        // Any k ≥ 1 is taken, however large.
        input.minGroupSize = .max
        #expect(try !OpinionMap.compute(input).isSufficient)
        #expect(zip(map.consensus, map.consensus.dropFirst()).allSatisfy { $0.value > $1.value || ($0.value == $1.value && $0.thesis < $1.thesis) })
    }

    @Test("Insufficient without two theses both agreed and disagreed with, or without an admissible clustering")
    func otherInsufficient() throws {
        let unanimous = (0..<10).map { _ in [Int?](repeating: 1, count: 8) }
        let map = try OpinionMap.compute(OpinionInput(groups: unanimous.map { _ in .science }, thesisCount: 8,
                                                      stances: stances(unanimous), minGroupSize: 2))
        #expect(!map.isSufficient && map.placed == 10)
        // Nine alike and one apart: any two groups leave one of them under k = 3.
        var rows = (0..<9).map { _ in [Int?]([1, 1, 1, 1, -1, -1, -1, 1]) }
        rows.append([-1, -1, -1, -1, 1, 1, 1, -1])
        let lonely = try OpinionMap.compute(OpinionInput(groups: rows.map { _ in .science }, thesisCount: 8,
                                                         stances: stances(rows), minGroupSize: 3))
        #expect(!lonely.isSufficient && lonely.groups.isEmpty && lonely.points.isEmpty && lonely.silhouettes.isEmpty)
    }

    @Test("A cancelled task stops with CancellationError")
    func cancellation() async {
        let input = SyntheticWorkshop(participants: 400, theses: 40, density: 0.5, seed: 1).input
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try OpinionMap.compute(input)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test("Encodes and decodes to an equal map")
    func codable() throws {
        let map = try OpinionMap.compute(SyntheticWorkshop(participants: 100, theses: 12, density: 0.8, seed: 4).input)
        #expect(try roundTrip(map) == map)
    }
}
