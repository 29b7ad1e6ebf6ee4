import ArgumentParser
import Foundation
import WerkstattStore

/// `werkstatt prune-history --round ID`: the retention step of docs/security.md.
struct PruneHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune-history",
        abstract: "Forget who cast the ballots of a closed round; its count, audit text and verify keep working.",
        discussion: """
            Drops the member id from every version in the round's ballot history and deletes its \
            current ballots. What was counted stays: the final snapshot and its canonical text \
            (GET /v1/rounds/{id}/audit). The round is never recounted afterwards. Refused for a \
            round that is not closed, or whose final count is not written yet.
            """)

    @Option(help: "The closed round's id.") var round: String
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        guard let id = UUID(uuidString: round) else { throw ValidationError("--round must be a round id (a UUID)") }
        try await reportingFailures {
            let pruned = try await database.withClient { client, logger in
                do {
                    return try await PostgresRoundRepository(client: client, logger: logger).pruneHistory(of: id, by: .commandLine)
                } catch let error as StoreError {
                    throw CommandFailure(error.explanation)
                }
            }
            print("pruned \(pruned) ballot versions of round \(id.uuidString.lowercased())")
        }
    }
}
