import ArgumentParser
import Foundation
import WerkstattDomain
import WerkstattReports
import WerkstattRules
import WerkstattStore

/// `werkstatt members import FILE --workshop SLUG`: what `POST …/members:import` does.
struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members", abstract: "Onboard the members of a workshop.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create members from CSV (display_name, role, organisation, stakeholder_group, email); all rows or none.",
            discussion: """
                Writes the created members with their tokens, once, as CSV for a mail merge (or JSON): \
                to --output (created mode 0600) or standard output. Tokens cannot be retrieved again.
                """)

        @Option(help: "The workshop's slug.") var workshop: String
        @Argument(help: "The CSV file.") var file: String
        @Flag(name: .customLong("create-organisations"), help: "Create organisations the file names that do not exist yet.")
        var createOrganisations = false
        @Option(name: .customLong("expires-at"), help: "When the new tokens stop working (RFC 3339); default: never.")
        var expiresAt: String?
        @Option(help: "csv or json.") var format = "csv"
        @Option(name: .shortAndLong, help: "Write the members and their tokens to this file.") var output: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard ["csv", "json"].contains(format) else { throw ValidationError("--format must be csv or json") }
            _ = try TokenCommand.expiry(expiresAt)
        }

        func run() async throws {
            let expiry = try TokenCommand.expiry(expiresAt)
            try await reportingFailures {
                guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
                guard let text = String(validating: data, as: UTF8.self) else { throw CommandFailure("\(file) is not UTF-8") }
                let rows: [ImportedMember]
                switch MemberImport.parse(text) {
                case .success(let parsed): rows = parsed
                case .failure(let failure):
                    throw CommandFailure("\(file) was not imported:\n" + failure.errors.map { "  \($0.field): \($0.message)" }.joined(separator: "\n"))
                }
                let created = try await database.withClient { client, logger in
                    let repositories = Repositories(postgres: client, logger: logger)
                    guard let found = try await repositories.workshops.get(slug: workshop) else {
                        throw CommandFailure("no workshop with slug '\(workshop)'")
                    }
                    do {
                        return try await UseCases(repositories: repositories).importMembers(
                            rows, into: found, createOrganisations: createOrganisations, expiresAt: expiry, by: .commandLine)
                    } catch let error as StoreError {
                        throw CommandFailure("\(file) was not imported: \(error.explanation)")
                    }
                }
                let body: Data
                if format == "json" {
                    let encoder = JSONEncoder.contract()
                    encoder.outputFormatting.insert(.prettyPrinted)
                    body = try encoder.encode(created)
                } else {
                    body = Data(Table.members(created, withTokens: true).csv().utf8)
                }
                if let output {
                    // The file holds every new token: readable by its owner only.
                    guard FileManager.default.createFile(atPath: output, contents: body, attributes: [.posixPermissions: 0o600]) else {
                        throw CommandFailure("cannot write \(output)")
                    }
                    FileHandle.standardError.write(Data("created \(created.count) members; their tokens are in \(output)\n".utf8))
                } else {
                    FileHandle.standardOutput.write(body)
                }
            }
        }
    }
}
