import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import WerkstattRules
import WerkstattDomain
import WerkstattStore

/// `werkstatt export …`: the same files the API serves, written to stdout or a file.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a ranking, an implementation list, a progress report or an opinion map.",
        subcommands: [Ranking.self, ImplementationList.self, Progress.self, OpinionMap.self])

    /// Format options shared by both exports.
    struct FormatOptions: ParsableArguments {
        @Option(help: "json, csv, md or html.") var format = "json"
        @Option(help: "en or de (headers and labels).") var lang = "en"
        @Option(help: "CSV delimiter: comma, semicolon or tab.") var delimiter = "comma"
        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

        func exportFormat() throws -> ExportFormat {
            do {
                return try ExportFormat(format: format, lang: lang, delimiter: delimiter)
            } catch .invalid(let errors) {
                throw CommandFailure(errors.map { "--\($0.field) \($0.message)" }.joined(separator: "; "))
            } catch {
                throw CommandFailure(error.description)
            }
        }

        func write(_ document: ExportDocument) throws {
            guard let output else {
                FileHandle.standardOutput.write(Data(document.body.utf8))
                return
            }
            try Data(document.body.utf8).write(to: URL(fileURLWithPath: output))
            FileHandle.standardError.write(Data("wrote \(output)\n".utf8))
        }
    }

    struct Ranking: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest ranking of a voting round.")

        @Option(help: "The round's id.") var round: String
        @OptionGroup var options: FormatOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                guard let id = UUID(uuidString: round) else { throw CommandFailure("--round must be a round id (a UUID)") }
                let format = try options.exportFormat()
                let document = try await database.withClient { client, logger in
                    let repositories = Repositories(postgres: client, logger: logger)
                    guard let round = try await repositories.rounds.get(id),
                          let workshop = try await repositories.workshops.get(round.workshopId) else {
                        throw CommandFailure("no round \(id)")
                    }
                    return try await Exports(repositories: repositories).ranking(of: round, in: workshop, for: .moderators, format: format)
                }
                try options.write(document)
            }
        }
    }

    struct ImplementationList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "implementation-list", abstract: "A workshop's implementation list (HTML: the full report).")

        @Option(help: "The workshop's slug.") var workshop: String
        @Option(name: .customLong("as-of"), help: "The list as it stood at the end of this day (YYYY-MM-DD, UTC).") var asOf: String?
        @OptionGroup var options: FormatOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let format = try options.exportFormat()
                if let asOf, !Day.isValid(asOf) { throw CommandFailure("--as-of must be a date written YYYY-MM-DD") }
                let document = try await database.withClient { client, logger in
                    let repositories = Repositories(postgres: client, logger: logger)
                    guard let found = try await repositories.workshops.get(slug: workshop) else {
                        throw CommandFailure("no workshop with slug '\(workshop)'")
                    }
                    return try await Exports(repositories: repositories).implementationList(of: found, for: .moderators,
                                                                                           asOf: asOf, format: format)
                }
                try options.write(document)
            }
        }
    }

    struct Progress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "progress", abstract: "A workshop's progress report (Fortschrittsbericht) for a period: html, md or csv.")

        @Option(help: "The workshop's slug.") var workshop: String
        @Option(help: "The period's first day (YYYY-MM-DD).") var from: String
        @Option(help: "The period's last day (YYYY-MM-DD, included).") var to: String
        @OptionGroup var options: FormatOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let format = try options.exportFormat()
                do throws(RuleError) {
                    _ = try ListQuery(asOf: nil, overdue: nil, from: from, to: to, format: format.kind)
                } catch .invalid(let errors) {
                    throw CommandFailure(errors.map { "--\($0.field) \($0.message)" }.joined(separator: "; "))
                } catch {
                    throw CommandFailure(error.description)
                }
                let document = try await database.withClient { client, logger in
                    let repositories = Repositories(postgres: client, logger: logger)
                    guard let found = try await repositories.workshops.get(slug: workshop) else {
                        throw CommandFailure("no workshop with slug '\(workshop)'")
                    }
                    return try await Exports(repositories: repositories).progressReport(of: found, from: from, to: to,
                                                                                       for: .moderators, format: format)
                }
                try options.write(document)
            }
        }
    }

    struct OpinionMap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "opinion-map", abstract: "A workshop's latest opinion map (CSV: Pol.is's export layout).")

        @Option(help: "The workshop's slug.") var workshop: String
        @Option(help: "With --format csv: participants-votes or comments.") var file = "participants-votes"
        @OptionGroup var options: FormatOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let format = try options.exportFormat()
                guard let file = Exports.OpinionMapFile(rawValue: file) else {
                    throw CommandFailure("--file must be participants-votes or comments")
                }
                let document = try await database.withClient { client, logger in
                    let repositories = Repositories(postgres: client, logger: logger)
                    guard let found = try await repositories.workshops.get(slug: workshop) else {
                        throw CommandFailure("no workshop with slug '\(workshop)'")
                    }
                    return try await Exports(repositories: repositories).opinionMap(of: found, format: format, file: file)
                }
                try options.write(document)
            }
        }
    }
}
