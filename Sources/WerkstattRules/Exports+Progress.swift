import Foundation
import WerkstattDomain
import WerkstattReports
import WerkstattStore

/// What `GET …/implementation-list` is asked for besides the list itself:
/// `?as_of=`, `?overdue=true`, or a progress report `?from=&to=`.
public struct ListQuery: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        case list(asOf: String?)
        case overdue(on: String)
        case progress(from: String, to: String)
    }

    public var mode: Mode

    public init(mode: Mode) { self.mode = mode }

    /// Reads the parameters as text; 422 naming each one that is malformed or does not fit.
    public init(asOf: String?, overdue: String?, from: String?, to: String?, format: ExportFormat.Kind,
                today: String = Day.of(Date())) throws(RuleError) {
        var errors: [FieldError] = []
        for (name, value) in [("as_of", asOf), ("from", from), ("to", to)] {
            if let value, !Day.isValid(value) { errors.append(FieldError(name, "must be a date written YYYY-MM-DD")) }
        }
        let wantsOverdue: Bool
        switch overdue {
        case nil, "false": wantsOverdue = false
        case "true": wantsOverdue = true
        default: wantsOverdue = false; errors.append(FieldError("overdue", "must be true or false"))
        }
        if let asOf, asOf > today, Day.isValid(asOf) { errors.append(FieldError("as_of", "must not be in the future")) }
        if (from == nil) != (to == nil) { errors.append(FieldError(from == nil ? "from" : "to", "from and to go together")) }
        if let from, let to, from > to { errors.append(FieldError("to", "must not be before from")) }
        if from != nil || to != nil {
            if asOf != nil { errors.append(FieldError("as_of", "a progress report (from, to) already says when")) }
            if wantsOverdue { errors.append(FieldError("overdue", "the progress report holds the overdue list")) }
            if format == .json { errors.append(FieldError("format", "the progress report is html, md or csv")) }
        } else if wantsOverdue && format != .json {
            errors.append(FieldError("format", "the overdue list is json"))
        }
        guard errors.isEmpty else { throw .invalid(errors) }
        if let from, let to { mode = .progress(from: from, to: to) }
        else if wantsOverdue { mode = .overdue(on: asOf ?? today) }
        else { mode = .list(asOf: asOf) }
    }
}

extension Exports {
    /// Everything past due on `day`, from the list as it stood then.
    public func overdue(of workshop: Workshop, on day: String, for audience: Audience) async throws -> OverdueList {
        let list = try await repositories.implementation.list(of: workshop.id, for: audience, asOf: day)
        return OverdueList(workshopId: workshop.id, day: day, entries: OverdueEntry.entries(in: list, on: day))
    }

    /// The progress report of `from`–`to` (whole days, UTC) in HTML, Markdown or CSV.
    public func progressReport(of workshop: Workshop, from: String, to: String, for audience: Audience,
                               format: ExportFormat) async throws -> ExportDocument {
        guard let start = Day.start(of: from), let end = Day.end(of: to) else {
            throw RuleError.invalid([FieldError("from", "must be a date written YYYY-MM-DD")])
        }
        let implementation = repositories.implementation
        // Two independent reads, on connections of their own.
        async let listed = implementation.list(of: workshop.id, for: audience, asOf: to)
        async let replayed = implementation.points(of: workshop.id, from: start, to: end)
        let now = try await listed
        // What follows from the list alone is worked out while the history is still arriving,
        // and for HTML written beside the lineage reads and the replay.
        let overdue = OverdueEntry.entries(in: now, on: to)
        let html = format.kind == .html || format.kind == .json
        let writer = HTMLReport(language: format.language)
        async let overdueSection = html ? writer.progressOverdueSection(from: from, to: to, overdue: overdue) : ""
        async let lineageSection = html
            ? writer.progressLineageSection(now, lineages: try await lineages(of: now.items, in: workshop, for: audience))
            : ""
        let period = ProgressPeriod(from: from, to: to, now: now,
                                    courses: await HistoryReplay.courses(try await replayed, from: start), overdue: overdue)
        let name = "progress-\(workshop.slug)-\(from)-\(to).\(format.fileExtension)"
        let body: String
        switch format.kind {
        case .csv: body = Table.progress(period, language: format.language).csv(delimiter: format.delimiter)
        case .md: body = Table.progressMarkdown(period, workshop: workshop, language: format.language)
        case .html, .json:
            body = await writer.progress(period, workshop: workshop, overdueSection: await overdueSection,
                                         lineageSection: try await lineageSection)
        }
        return ExportDocument(contentType: format.kind == .json ? ExportFormat(kind: .html).contentType : format.contentType,
                              fileName: name, body: body)
    }

    /// What became of an item's recommendation: its theses with their stance figures (as
    /// `GET /v1/theses/{id}` shows them, under the workshop's k), the rounds it stood in as
    /// `audience` may see their rankings, and the item with its measures.
    public func lineage(of item: ImplementationItem, in workshop: Workshop, for audience: Audience) async throws -> Lineage {
        guard let lineage = try await lineages(of: [item], in: workshop, for: audience)[item.id] else {
            throw RuleError.notFound("implementation item")
        }
        return lineage
    }

    /// Lineages of several items: their recommendations, theses and stance figures in one
    /// read each, and the ranking of each round one of them stood in, once.
    func lineages(of items: [ImplementationItem], in workshop: Workshop, for audience: Audience) async throws -> [UUID: Lineage] {
        let recommendations = try await repositories.recommendations.get(Array(Set(items.map(\.recommendationId))))
        var rounds: [Round] = []
        var page = PageRequest(limit: PageRequest.maxLimit)
        while true {
            let batch = try await repositories.rounds.list(in: workshop.id, page: page)
            rounds += batch.items.filter { round in
                round.state != .draft && round.recommendationIds.contains { recommendations[$0] != nil }
            }
            guard let next = batch.nextCursor else { break }
            page = try PageRequest(limit: String(PageRequest.maxLimit), cursor: next)
        }
        var rankings: [UUID: Ranking] = [:]
        for round in rounds {
            rankings[round.id] = try await repositories.rounds.ranking(of: round, for: audience)
        }
        // The items' theses and their stance figures, two reads for all of them.
        let thesisIds = Array(Set(items.flatMap { recommendations[$0.recommendationId]?.thesisIds ?? [] }))
        async let thesesRead = repositories.theses.get(thesisIds)
        let stances = try await repositories.theses.stances(of: thesisIds)
        let thesesById = try await thesesRead
        var result: [UUID: Lineage] = [:]
        for item in items {
            guard let recommendation = recommendations[item.recommendationId] else { continue }
            let theses = recommendation.thesisIds.compactMap { id in
                thesesById[id].map { thesis in var thesis = thesis; thesis.stances = stances[id]; return thesis }
            }
            let standings = rounds.filter { $0.recommendationIds.contains(recommendation.id) }.map { round in
                let ranking = rankings[round.id]
                let entry = ranking?.items.first { $0.recommendationId == recommendation.id }
                return Lineage.RoundStanding(roundId: round.id, title: round.title, state: round.state, method: round.method,
                                             closedAt: round.closedAt, rank: entry?.rank, rankInterval: entry?.rankInterval,
                                             digest: ranking?.digest, provisional: ranking?.provisional ?? true,
                                             computedAt: ranking?.computedAt)
            }
            result[item.id] = Lineage(theses: theses, recommendation: recommendation, rounds: standings, item: item)
        }
        return result
    }
}
