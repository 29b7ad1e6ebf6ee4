import Foundation
import WerkstattDomain
import WerkstattReports
import WerkstattStore

/// How a client wants a ranking or implementation list: `?format=json|csv|md|html`,
/// `&lang=de`, `&delimiter=semicolon`.
public struct ExportFormat: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case json, csv, md, html }

    public var kind: Kind
    public var language: Language
    public var delimiter: Character

    public init(kind: Kind = .json, language: Language = .en, delimiter: Character = ",") {
        self.kind = kind; self.language = language; self.delimiter = delimiter
    }

    /// Reads the three settings as text (from a query or the command line).
    public init(format: String?, lang: String?, delimiter: String?) throws(RuleError) {
        var errors: [FieldError] = []
        let kind = Kind(rawValue: format ?? "json")
        if kind == nil { errors.append(FieldError("format", "must be one of json, csv, md, html")) }
        let language = Language(rawValue: lang ?? "en")
        if language == nil { errors.append(FieldError("lang", "must be en or de")) }
        let separator: Character? = switch delimiter ?? "comma" {
        case "comma", ",": ","
        case "semicolon", ";": ";"
        case "tab": "\t"
        default: nil
        }
        if separator == nil { errors.append(FieldError("delimiter", "must be comma, semicolon or tab")) }
        guard errors.isEmpty, let kind, let language, let separator else { throw .invalid(errors) }
        self.init(kind: kind, language: language, delimiter: separator)
    }

    public var contentType: String {
        switch kind {
        case .json: "application/json"
        case .csv: "text/csv; charset=utf-8; header=present"
        case .md: "text/markdown; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        }
    }

    public var fileExtension: String { kind.rawValue }
}

/// An export ready to send or write: its media type, a file name and the text.
public struct ExportDocument: Sendable {
    public var contentType: String
    public var fileName: String
    public var body: String

    public init(contentType: String, fileName: String, body: String) {
        self.contentType = contentType; self.fileName = fileName; self.body = body
    }
}

/// Loads what an export shows and renders it in the asked format. Used by the API and by
/// `werkstatt export`, so both write the same files. Exports hold aggregates only.
public struct Exports: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    /// A round's ranking as `audience` may see it (`RoundRepository.ranking(of:for:)`).
    public func ranking(of round: Round, in workshop: Workshop, for audience: Audience,
                        format: ExportFormat) async throws -> ExportDocument {
        try render(try await repositories.rounds.ranking(of: round, for: audience), of: round, in: workshop, format: format)
    }

    /// A ranking in the asked format. JSON and CSV depend on the ranking alone (and what the
    /// round was created with); Markdown and HTML show the workshop's title and facts too.
    public func render(_ ranking: Ranking, of round: Round, in workshop: Workshop, format: ExportFormat) throws -> ExportDocument {
        let name = "ranking-\(workshop.slug)-\(round.id.uuidString.prefix(8).lowercased()).\(format.fileExtension)"
        let body: String = switch format.kind {
        case .json: String(decoding: try JSONEncoder.contract().encode(ranking), as: UTF8.self)
        case .csv: Table.ranking(ranking, language: format.language).csv(delimiter: format.delimiter)
        case .md: Self.markdownHeading(workshop.title, round.title) + Table.ranking(ranking, language: format.language).markdown()
            + (Table.withheldNote(ranking, language: format.language).map { "\n" + $0 + "\n" } ?? "")
        case .html: HTMLReport(language: format.language).ranking(RankingReport(workshop: workshop, round: round, ranking: ranking))
        }
        return ExportDocument(contentType: format.contentType, fileName: name, body: body)
    }

    /// The implementation list as `audience` may see it, led in HTML by the ranking of its decisive round.
    /// With `asOf`, the list as it stood at the end of that day (UTC).
    public func implementationList(of workshop: Workshop, for audience: Audience, asOf: String? = nil,
                                   format: ExportFormat) async throws -> ExportDocument {
        let list = try await repositories.implementation.list(of: workshop.id, for: audience, asOf: asOf)
        let name = "implementation-list-\(workshop.slug)\(asOf.map { "-\($0)" } ?? "").\(format.fileExtension)"
        let body: String
        switch format.kind {
        case .json:
            body = list.json()   // JSONEncoder.contract()'s text, written directly (large lists)
        case .csv:
            body = Table.implementationList(list, language: format.language).csv(delimiter: format.delimiter)
        case .md:
            body = Self.markdownHeading(workshop.title, nil) + Table.implementationList(list, language: format.language).markdown()
        case .html:
            var decisive: RankingReport?
            if let roundId = list.roundId, let round = try await repositories.rounds.get(roundId) {
                decisive = RankingReport(workshop: workshop, round: round,
                                         ranking: try await repositories.rounds.ranking(of: round, for: audience))
            }
            let map = try await repositories.opinionMaps.latest(of: workshop.id)
            body = HTMLReport(language: format.language).implementationList(list, workshop: workshop, decisive: decisive,
                                                                             opinionMap: map)
        }
        return ExportDocument(contentType: format.contentType, fileName: name, body: body)
    }

    /// The files of an opinion map: `participants-votes.csv` and `comments.csv` in Pol.is's layout.
    public enum OpinionMapFile: String, Sendable, CaseIterable {
        case participantsVotes = "participants-votes", comments
    }

    /// The workshop's latest opinion map; 409 before the worker has drawn the first one.
    public func opinionMap(of workshop: Workshop, format: ExportFormat, file: OpinionMapFile) async throws -> ExportDocument {
        guard let map = try await repositories.opinionMaps.latest(of: workshop.id) else {
            throw RuleError.conflict("the workshop's opinion map is not computed yet; try again in a moment")
        }
        let body: String
        var name = "opinion-map-\(workshop.slug).\(format.fileExtension)"
        switch format.kind {
        case .json: body = String(decoding: try JSONEncoder.contract().encode(map), as: UTF8.self)
        case .csv:
            name = "\(file.rawValue)-\(workshop.slug).csv"
            let table = file == .comments ? Table.opinionTheses(map) : Table.opinionParticipants(map)
            body = table.csv(delimiter: format.delimiter)
        case .md: body = Table.opinionMapMarkdown(map, workshop: workshop, language: format.language)
        case .html: body = HTMLReport(language: format.language).opinionMap(map, workshop: workshop)
        }
        return ExportDocument(contentType: format.contentType, fileName: name, body: body)
    }

    private static func markdownHeading(_ workshop: String, _ round: String?) -> String {
        let title = [workshop, round].compactMap { $0 }.joined(separator: " – ")
        return "# " + title.replacingOccurrences(of: "\n", with: " ") + "\n\n"
    }
}
