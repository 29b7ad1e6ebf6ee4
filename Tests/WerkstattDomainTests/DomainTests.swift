import Foundation
import Testing
import WerkstattDomain

@Suite("Domain rules")
struct DomainTests {
    @Test("the phase table of domain.md")
    func phaseTable() {
        let expected: [Phase: Set<Phase.Activity>] = [
            .draft: [.setUp, .editRecommendations],
            .collecting: [.setUp, .bringInThesis, .takeStance, .comment, .editRecommendations],
            .discussing: [.setUp, .bringInThesis, .takeStance, .comment, .editRecommendations],
            .voting: [.setUp, .takeStance, .comment, .editRecommendations, .vote, .implement],
            .implementing: [.setUp, .comment, .implement],
            .closed: [],
        ]
        let all: [Phase.Activity] = [.setUp, .bringInThesis, .takeStance, .comment, .editRecommendations, .vote, .implement]
        for phase in Phase.allCases {
            #expect(Set(all.filter(phase.allows)) == expected[phase], "\(phase)")
        }
    }

    @Test("phases move forward, or back exactly one step")
    func phaseMoves() {
        #expect(Phase.draft.mayMove(to: .voting))
        #expect(Phase.voting.mayMove(to: .discussing))
        #expect(!Phase.voting.mayMove(to: .collecting))
        #expect(Phase.closed.mayMove(to: .implementing))
        #expect(!Phase.closed.mayMove(to: .draft))
    }

    @Test("timeframes: rules and the German and English text")
    func timeframes() {
        #expect(Timeframe(kind: .by, year: 2018).text(german: true) == "bis 2018")
        #expect(Timeframe(kind: .by, year: 2018).text() == "by 2018")
        #expect(Timeframe(kind: .from, year: 2017).text(german: true) == "ab 2017")
        #expect(Timeframe(kind: .ongoing).text(german: true) == "fortlaufend")
        #expect(Timeframe(kind: .in, year: 2017).text() == "2017")
        #expect(Timeframe(kind: .range, year: 2017, toYear: 2020).text() == "2017–2020")
        #expect(Timeframe(kind: .range, year: 2017, toYear: 2020).violations().isEmpty)
        #expect(Timeframe(kind: .in).violations().map(\.field) == ["timeframe.year"])
        #expect(Timeframe(kind: .ongoing, year: 2017).violations().map(\.field) == ["timeframe.year"])
        #expect(Timeframe(kind: .range, year: 2020, toYear: 2019).violations().map(\.field) == ["timeframe.to_year"])
        #expect(Timeframe(kind: .by, year: 1066).violations().map(\.field) == ["timeframe.year"])
    }

    @Test("stance summaries: null until someone takes a side, then group-aware figures")
    func stanceSummary() throws {
        let none = StanceSummary(byGroup: [.industry: .init(pass: 3)], minGroupSize: 2)
        #expect(none.consensus == nil)
        #expect(none.controversy == nil)
        let split = StanceSummary(byGroup: [.industry: .init(agree: 10), .union: .init(disagree: 10)], minGroupSize: 5)
        #expect(abs(try #require(split.consensus) - (11.0 / 12.0 * 1.0 / 12.0).squareRoot()) < 1e-12)
        #expect(abs(try #require(split.controversy) - 10.0 / 12.0) < 1e-12)
        #expect(split.byGroup.keys.sorted() == ["industry", "union"])
        #expect(split.withheldGroups.isEmpty)
    }

    @Test("stance counts per group: a group of one is pooled, and consensus does not reveal it")
    func stanceSecrecy() throws {
        // Industry 6 agree; union: one person, who disagrees; science 4 agree.
        let counts: [StakeholderGroup: StanceSummary.Counts] = [.industry: .init(agree: 6), .union: .init(disagree: 1),
                                                               .science: .init(agree: 4)]
        let summary = StanceSummary(byGroup: counts, minGroupSize: 5)
        #expect(summary.agree == 10 && summary.disagree == 1)
        // Union (1) and science (4) alone are under k; together they are 5.
        #expect(summary.byGroup["industry"] == .init(agree: 6))
        #expect(summary.byGroup["further_groups"] == .init(agree: 4, disagree: 1))
        #expect(summary.byGroup["union"] == nil && summary.byGroup["science"] == nil)
        #expect(summary.withheldGroups == ["science", "union"])
        // Had the union member agreed, the consensus would differ only through the pool:
        // it is computed over (industry, pool), never over the union member alone.
        let p1 = 7.0 / 8.0, p2 = 5.0 / 7.0
        #expect(abs(try #require(summary.consensus) - (p1 * p2).squareRoot()) < 1e-12)
        // Everything under k: nothing per group, consensus over everybody at once.
        let small = StanceSummary(byGroup: [.industry: .init(agree: 2), .union: .init(disagree: 1)], minGroupSize: 5)
        #expect(small.byGroup.isEmpty)
        #expect(small.withheldGroups == ["industry", "union"])
        #expect(abs(try #require(small.consensus) - 3.0 / 5.0) < 1e-12)
    }

    @Test("dates are checked as calendar dates")
    func dates() {
        let good = NewWorkshop(slug: "a", title: "t", description: nil, region: nil, startsOn: "2016-02-29", endsOn: nil)
        #expect(good.violations().isEmpty)
        let bad = NewWorkshop(slug: "a", title: "t", description: nil, region: nil, startsOn: "2017-02-29", endsOn: "2016-01-01")
        #expect(bad.violations().map(\.field) == ["starts_on"])
        let reversed = NewWorkshop(slug: "a-b", title: "t", description: nil, region: nil, startsOn: "2017-02-01", endsOn: "2016-01-01")
        #expect(reversed.violations().map(\.field) == ["ends_on"])
    }
}
