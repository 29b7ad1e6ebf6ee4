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
        let none = StanceSummary(byGroup: [.industry: .init(pass: 3)])
        #expect(none.consensus == nil)
        #expect(none.controversy == nil)
        let split = StanceSummary(byGroup: [.industry: .init(agree: 10), .union: .init(disagree: 10)])
        #expect(abs(try #require(split.consensus) - (11.0 / 12.0 * 1.0 / 12.0).squareRoot()) < 1e-12)
        #expect(abs(try #require(split.controversy) - 10.0 / 12.0) < 1e-12)
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
