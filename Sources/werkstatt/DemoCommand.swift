import ArgumentParser
import WerkstattDemo

/// `werkstatt demo`: loads the two demo workshops; running it again adds nothing.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create the demo workshops (Saxon StrategieWerkstatt, Mülheim Stärkungsinitiative).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            let outcomes = try await database.withClient { client, logger in
                try await Demo(client: client, logger: logger).run()
            }
            for outcome in outcomes {
                print(outcome.created
                      ? "created \(outcome.slug): \(outcome.members) members, \(outcome.ballots) ballots"
                      : "\(outcome.slug) is already there; left as it is")
            }
        }
    }
}
