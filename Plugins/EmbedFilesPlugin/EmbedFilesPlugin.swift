import Foundation
import PackagePlugin

/// Compiles files the service needs at run time into its modules, so the built binary
/// works without the source tree: `sql/*.sql` into WerkstattStore, `docs/openapi.yaml`
/// into WerkstattAPI, `demo/workshops.json` into WerkstattDemo.
@main
struct EmbedFilesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let (name, files): (String, [URL])
        switch target.name {
        case "WerkstattStore":
            let sql = package.appending(path: "sql")
            name = "embeddedMigrations"
            files = try FileManager.default.contentsOfDirectory(at: sql, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "sql" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        case "WerkstattAPI":
            name = "embeddedDocuments"
            files = [package.appending(path: "docs/openapi.yaml")]
        case "WerkstattDemo":
            name = "embeddedDemo"
            files = [package.appending(path: "demo/workshops.json")]
        default:
            return []
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "Embedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) file(s) into \(target.name)",
                executable: try context.tool(named: "EmbedFiles").url,
                arguments: [output.path, name] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
