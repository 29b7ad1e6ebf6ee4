import Foundation
import PostgresNIO
import Testing
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// The workshop's rules hold for every front-end: the use cases refuse what the phase or
/// role forbids, whoever calls them, and the command line says so with its exit code.
@Suite("Rules for every front-end")
struct RulesTests {
    static func workshop(_ useCases: UseCases, slug: String, phase: Phase) async throws -> Workshop {
        var workshop = try await useCases.createWorkshop(NewWorkshop(slug: slug, title: "Werkstatt"), by: .commandLine)
        for next in Phase.allCases.drop(while: { $0 != .collecting }) {
            guard workshop.phase != phase else { break }
            workshop = try await useCases.movePhase(of: workshop, to: next, by: .commandLine)
        }
        return workshop
    }

    @Test("the use cases refuse what the phase or the role forbids, for the command line and the demo too")
    func useCasesApplyTheRules() async throws {
        try await TestAPI.run { api in
            let useCases = UseCases(repositories: Repositories(postgres: api.database, logger: TestDatabase.logger))
            let implementing = try await Self.workshop(useCases, slug: "umsetzung", phase: .implementing)
            #expect(implementing.phase == .implementing)
            let rows = try RecommendationImport.parse("code,title,body\nN,Neu,Text\n").get()
            await #expect(throws: RuleError.phase(.implementing, forbids: .editRecommendations)) {
                try await useCases.importRecommendations(rows, into: implementing, by: .commandLine)
            }
            await #expect(throws: RuleError.self) {
                try await useCases.bringInThesis(NewThesis(title: "t", body: "b"), in: implementing, by: .commandLine)
            }
            let closed = try await useCases.movePhase(of: implementing, to: .closed, by: .commandLine)
            await #expect(throws: RuleError.phase(.closed, forbids: .setUp)) {
                try await useCases.addMember(NewMember(displayName: "m", role: .participant), to: closed, by: .commandLine)
            }
            let count = try await api.database.query("SELECT count(*) FROM recommendations", logger: TestDatabase.logger)
            for try await n in count.decode(Int64.self) { #expect(n == 0) }
        }
    }

    @Test("`werkstatt import recommendations` in a phase that forbids it fails with a clear message and exit code 3")
    func importCommandFollowsThePhase() async throws {
        // `make test` builds the binary beside the tests; a bare `swift test --filter` may not.
        guard let binary = Command.binary else { return }
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(database: url.database) { client in
                let useCases = UseCases(repositories: Repositories(postgres: client, logger: TestDatabase.logger))
                _ = try await Self.workshop(useCases, slug: "umsetzung", phase: .implementing)
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID()).csv")
            try Data("code,title,body\nN,Neu,Text\n".utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let password = (url.password ?? "").addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? ""
            let run = try await Command.run(binary, [
                "import", "recommendations", "--workshop", "umsetzung", file.path,
                "--database-url", "postgres://\(url.username):\(password)@\(url.host):\(url.port)/\(url.database)",
                "--log-level", "error"])
            let message = run.errors
            #expect(run.status == 3, "\(message)")
            #expect(message.contains("the workshop is in phase 'implementing', which does not allow to add recommendations"),
                    "\(message)")
            try await TestDatabase.withClient(database: url.database) { client in
                let count = try await client.query("SELECT count(*) FROM recommendations", logger: TestDatabase.logger)
                for try await n in count.decode(Int64.self) { #expect(n == 0) }
            }
        }
    }

    /// Which module may import which (docs/architecture.md, "Layers"): the pure modules
    /// import no I/O, and the rules know nothing of HTTP.
    @Test("each module imports only what its layer allows")
    func layers() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let forbidden: [String: Set<String>] = [
            "WerkstattVoting": ["PostgresNIO", "Hummingbird", "NIOCore", "NIOPosix", "WerkstattDomain", "WerkstattStore"],
            "WerkstattOpinionMap": ["PostgresNIO", "Hummingbird", "NIOCore", "NIOPosix", "WerkstattDomain", "WerkstattStore"],
            "WerkstattDomain": ["PostgresNIO", "Hummingbird", "NIOCore", "NIOPosix", "WerkstattStore", "WerkstattRules"],
            "WerkstattReports": ["PostgresNIO", "Hummingbird", "NIOCore", "NIOPosix", "WerkstattStore", "WerkstattRules"],
            "WerkstattStore": ["Hummingbird", "WerkstattRules", "WerkstattAPI"],
            "WerkstattRules": ["Hummingbird", "HummingbirdCore", "NIOHTTP1", "HTTPTypes", "WerkstattAPI"],
            "WerkstattWorker": ["Hummingbird", "WerkstattAPI"],
            "WerkstattDemo": ["Hummingbird", "WerkstattAPI"],
        ]
        for (module, banned) in forbidden {
            let folder = sources.appendingPathComponent(module)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
            #expect(!files.isEmpty, "\(module)")
            for file in files {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                    let imported = String(line.dropFirst("import ".count)).trimmingCharacters(in: .whitespaces)
                    #expect(!banned.contains(imported), "\(module)/\(file) imports \(imported)")
                }
            }
        }
    }
}
