import ArgumentParser
import Foundation
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// `werkstatt import recommendations --workshop SLUG FILE.csv`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import data from files.", subcommands: [Recommendations.self])

    struct Recommendations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update recommendations from CSV (code, title, body, working_group, lead, timeframe); all rows or none.")

        @Option(help: "The workshop's slug.") var workshop: String
        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
                guard let text = String(validating: data, as: UTF8.self) else { throw CommandFailure("\(file) is not UTF-8") }
                let rows: [ImportedRecommendation]
                switch RecommendationImport.parse(text) {
                case .success(let parsed): rows = parsed
                case .failure(let failure):
                    throw CommandFailure("\(file) was not imported:\n" + failure.errors.map { "  \($0.field): \($0.message)" }.joined(separator: "\n"))
                }
                let summary = try await database.withClient { client, logger in
                    let repositories = Repositories(postgres: client, logger: logger)
                    guard let found = try await repositories.workshops.get(slug: workshop) else {
                        throw CommandFailure("no workshop with slug '\(workshop)'")
                    }
                    do {
                        // The same rules as the import endpoint: the phase must allow it.
                        return try await UseCases(repositories: repositories).importRecommendations(rows, into: found, by: .commandLine)
                    } catch let error as StoreError {
                        throw CommandFailure("\(file) was not imported: \(error.explanation)")
                    }
                }
                print("created \(summary.created), updated \(summary.updated), unchanged \(summary.unchanged)")
            }
        }
    }
}
