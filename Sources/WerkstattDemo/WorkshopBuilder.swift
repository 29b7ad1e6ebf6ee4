import Foundation
import WerkstattDomain
import WerkstattRules
import WerkstattStore
import WerkstattVoting

/// Builds one demo workshop through the use cases (`UseCases`), as moderators and members
/// would through the API, so every rule of roles and phases applies to it too. Every random
/// choice comes from one seeded generator, so the demo is the same on every machine.
struct WorkshopBuilder {
    let data: DemoData.Workshop
    let organisations: [DemoOrganisation]
    let repositories: Repositories
    let useCases: UseCases
    var random: SplitMix64

    private struct Person {
        var id: UUID
        var workshopId: UUID
        var group: StakeholderGroup
        var role: Role
        /// +1 or −1: the opinion camp, drawn independently of the organisation, so that the
        /// opinion map finds groups that are not the stakeholder groups.
        var camp: Double

        /// The person as the caller of a use case.
        var caller: Caller { .member(MemberIdentity(id: id, workshopId: workshopId, role: role, group: group)) }
    }

    init(data: DemoData.Workshop, organisations: [DemoOrganisation], repositories: Repositories, random: SplitMix64) {
        self.data = data
        self.organisations = organisations
        self.repositories = repositories
        self.useCases = UseCases(repositories: repositories)
        self.random = random
    }

    mutating func build() async throws -> Demo.Outcome {
        let admin = Caller.commandLine
        var workshop = try await useCases.createWorkshop(
            NewWorkshop(slug: data.slug, title: data.title, description: data.description, region: data.region,
                        startsOn: data.starts_on, endsOn: data.ends_on, publicReport: true), by: admin)
        var groups: [String: UUID] = [:]
        for group in data.working_groups {
            groups[group.code] = try await useCases.createWorkingGroup(
                NewWorkingGroup(code: group.code, title: group.title, description: group.description),
                in: workshop, by: admin).id
        }
        var events: [String: UUID] = [:]
        for event in data.events {
            guard let startsAt = Date(rfc3339: event.starts_at) else { continue }
            events[event.title] = try await useCases.createEvent(
                NewEvent(title: event.title, place: event.place, startsAt: startsAt), in: workshop, by: admin).id
        }
        let people = try await members(in: workshop)
        guard let moderator = people.first(where: { $0.role == .moderator }) else { throw DemoFailure("the demo has no moderator") }
        let moderatorCaller = moderator.caller
        let voters = people.filter { $0.role != .observer }

        workshop = try await useCases.movePhase(of: workshop, to: .collecting, by: moderatorCaller)
        var theses: [(id: UUID, group: String?)] = []
        for thesis in data.theses {
            let author = voters[Int(random.next() % UInt64(voters.count))]
            let created = try await useCases.bringInThesis(
                NewThesis(title: thesis.title, body: thesis.body, workingGroupId: thesis.working_group.flatMap { groups[$0] },
                          eventId: thesis.event.flatMap { events[$0] }),
                in: workshop, by: author.caller)
            theses.append((created.id, thesis.working_group))
            try await stances(on: created, in: workshop, lean: thesis.lean, axis: thesis.axis ?? 0, by: voters)
            try await discussion(on: .thesis(created.id), in: workshop, by: voters)
        }

        var recommendations: [UUID] = []
        for recommendation in data.recommendations {
            let related = theses.filter { $0.group != nil && $0.group == recommendation.working_group }.prefix(2).map(\.id)
            let created = try await useCases.createRecommendation(
                NewRecommendation(code: recommendation.code, title: recommendation.title, body: recommendation.body,
                                  workingGroupId: recommendation.working_group.flatMap { groups[$0] },
                                  thesisIds: related.isEmpty ? nil : Array(related), lead: recommendation.lead,
                                  timeframe: recommendation.timeframe.flatMap(Timeframe.init(text:))),
                in: workshop, by: moderatorCaller)
            recommendations.append(created.id)
            if random.next() % 3 == 0 { try await discussion(on: .recommendation(created.id), in: workshop, by: voters) }
        }
        try await hideOneComment(in: workshop, by: moderatorCaller)

        workshop = try await useCases.movePhase(of: workshop, to: .voting, by: moderatorCaller)
        // Each group finds each recommendation more or less urgent; ballots follow that.
        let appeal = recommendations.map { _ in StakeholderGroup.allCases.map { _ in 0.2 + random.unit() } }
        let first = try await useCases.createRound(
            NewRound(title: "Priorisierung der Handlungsempfehlungen", method: .dot,
                     criterion: "Welche Empfehlungen sollen zuerst umgesetzt werden?", pointsPerMember: 5,
                     maxPointsPerItem: 3), in: workshop, by: moderatorCaller)
        let firstOpen = try await useCases.openRound(first, in: workshop, by: moderatorCaller)
        var ballots = try await vote(in: firstOpen, appeal: appeal, share: 0.85, by: voters)
        _ = try await useCases.closeRound(firstOpen, by: moderatorCaller)

        let fit = data.slug.contains("sachsen")
        let second = try await useCases.createRound(
            NewRound(title: fit ? "Passfähigkeit für die eigene Region" : "Was gehen wir als Nächstes an?",
                     method: fit ? .score : .approval,
                     criterion: fit ? "0 = passt nicht, 5 = passt sehr gut" : "Alle Projekte, die 2018 Vorrang haben sollen",
                     balance: .equal), in: workshop, by: moderatorCaller)
        let secondOpen = try await useCases.openRound(second, in: workshop, by: moderatorCaller)
        ballots += try await vote(in: secondOpen, appeal: appeal, share: 0.6, by: voters)

        // Mülheim follows its projects through measures from 2017 on; Saxony reports per item.
        if data.slug.contains("muelheim") {
            try await trackMeasures(on: workshop, by: moderatorCaller)
        } else {
            try await reportProgress(on: workshop, by: moderatorCaller)
        }
        return Demo.Outcome(slug: data.slug, created: true, members: people.count, ballots: ballots)
    }

    /// Two moderators, five observers and participants from every organisation.
    private mutating func members(in workshop: Workshop) async throws -> [Person] {
        var people: [Person] = []
        func add(_ name: String, _ role: Role, _ organisation: DemoOrganisation) async throws {
            let member = try await useCases.addMember(
                NewMember(displayName: name, role: role, organisationId: organisation.id), to: workshop, by: .commandLine)
            people.append(Person(id: member.id, workshopId: workshop.id, group: member.stakeholderGroup, role: role,
                                 camp: random.unit() < 0.5 ? 1 : -1))
        }
        let administration = organisations.first { $0.group == .administration } ?? organisations[0]
        for i in 1...2 { try await add("Moderation \(i)", .moderator, administration) }
        for i in 1...5 { try await add("Beobachtung \(i)", .observer, organisations[(i * 7) % organisations.count]) }
        for i in 1...180 {
            let organisation = organisations[Int(random.next() % UInt64(organisations.count))]
            try await add("Teilnehmende \(i) (\(organisation.name))", .participant, organisation)
        }
        return people
    }

    /// Each member's chance to agree is the thesis's lean, moved by their stakeholder group's
    /// bias and, more strongly, by their camp on the thesis's axis.
    private mutating func stances(on thesis: Thesis, in workshop: Workshop, lean: Double, axis: Double,
                                  by voters: [Person]) async throws {
        let bias = StakeholderGroup.allCases.map { _ in random.unit() * 0.3 - 0.15 }
        for person in voters where random.unit() < 0.6 {
            let draw = random.unit()
            let agree = min(max(lean + bias[person.group.ordinal] + 0.45 * axis * person.camp, 0), 1)
            let stance: StanceValue = draw < 0.1 ? .pass : (draw < 0.1 + 0.9 * agree ? .agree : .disagree)
            _ = try await useCases.takeStance(stance, on: thesis, in: workshop, by: person.caller)
        }
    }

    private mutating func discussion(on subject: CommentSubject, in workshop: Workshop, by voters: [Person]) async throws {
        var previous: UUID?
        for _ in 0..<Int(random.next() % 4) {
            let text = data.comments[Int(random.next() % UInt64(data.comments.count))]
            let author = voters[Int(random.next() % UInt64(voters.count))]
            let reply = previous != nil && random.unit() < 0.4
            let comment = try await useCases.comment(
                NewComment(body: text, parentId: reply ? previous : nil), on: subject, in: workshop, by: author.caller)
            previous = comment.id
        }
    }

    /// Moderation is part of the picture: one comment is hidden, with its reason kept.
    private func hideOneComment(in workshop: Workshop, by moderator: Caller) async throws {
        let theses = try await repositories.theses.list(in: workshop.id, workingGroup: nil, page: PageRequest(limit: 5))
        for thesis in theses.items {
            if let comment = try await repositories.comments.list(on: .thesis(thesis.id), page: PageRequest(limit: 1)).items.first {
                _ = try await useCases.hideComment(comment.id, in: workshop, reason: "Beitrag ohne Bezug zur These", by: moderator)
                return
            }
        }
    }

    /// Ballots from a share of the voters, drawn from each group's appeal of the items.
    private mutating func vote(in round: Round, appeal: [[Double]], share: Double, by voters: [Person]) async throws -> Int {
        let ids = round.recommendationIds.map(\.text)
        var cast = 0
        for person in voters where random.unit() < share {
            let weights = appeal.map { $0[person.group.ordinal] }
            let form: RawBallot
            switch round.votingMethod {
            case .dot(let budget, let maxPerItem):
                var points: [String: Int] = [:]
                var left = budget
                while left > 0 {
                    let pick = ids[pickIndex(weights)]
                    if (points[pick] ?? 0) < maxPerItem { points[pick, default: 0] += 1; left -= 1 }
                }
                form = .points(points)
            case .approval:
                let approved = ids.enumerated().filter { random.unit() < weights[$0.offset] * 0.5 }.map(\.element)
                form = .approve(approved.isEmpty ? [ids[pickIndex(weights)]] : approved)
            case .score:
                var grades: [String: Int] = [:]
                for (i, id) in ids.enumerated() where random.unit() < 0.8 {
                    grades[id] = min(5, max(0, Int((weights[i] * 4 + random.unit() * 2 - 0.5).rounded())))
                }
                if grades.isEmpty { grades[ids[0]] = 3 }
                form = .grades(grades)
            case .ranking:
                form = .ranking(ids.enumerated().sorted { weights[$0.offset] > weights[$1.offset] }.prefix(5).map(\.element))
            }
            // The same rules as the API's: a demo ballot that broke one would be a bug here.
            do {
                _ = try await useCases.cast(BallotBody(form), in: round, by: person.caller)
                cast += 1
            } catch let error as RuleError {
                throw DemoFailure("a demo ballot broke the rules: \(error)")
            }
        }
        return cast
    }

    private mutating func pickIndex(_ weights: [Double]) -> Int {
        var target = random.unit() * weights.reduce(0, +)
        for (i, weight) in weights.enumerated() {
            target -= weight
            if target <= 0 { return i }
        }
        return weights.count - 1
    }

    /// Status, progress and dated notes on part of the list, as moderators report them.
    private mutating func reportProgress(on workshop: Workshop, by moderator: Caller) async throws {
        let list = try await repositories.implementation.list(of: workshop.id, for: .moderators)
        let notes = ["Auftaktgespräch mit allen Beteiligten geführt.", "Konzept liegt vor, Finanzierung wird geklärt.",
                     "Erste Maßnahmen umgesetzt; Bericht auf der Industriekonferenz.", "Projektgruppe trifft sich monatlich."]
        for item in list.items where random.unit() < 0.7 {
            let progress = Int(random.next() % 101)
            let status: ImplementationStatus = progress == 100 ? .done : (progress == 0 ? .planned : .inProgress)
            _ = try await useCases.updateImplementationItem(
                item.id, in: workshop, with: ImplementationChange(status: status, progress: progress,
                                                                  note: notes[Int(random.next() % UInt64(notes.count))]),
                by: moderator)
        }
    }
}

extension SplitMix64 {
    /// A uniform number in 0..<1.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
