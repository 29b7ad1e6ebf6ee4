import ArgumentParser

@main
struct Werkstatt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "werkstatt",
        abstract: "The backend of participatory strategy workshops.",
        subcommands: [Serve.self, Worker.self, Migrate.self, TokenCommand.self, DemoCommand.self, ExportCommand.self, ImportCommand.self, MembersCommand.self, VerifyCommand.self, PruneHistoryCommand.self]
    )
}
