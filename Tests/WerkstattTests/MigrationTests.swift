import Foundation
import PostgresNIO
import Testing
@testable import WerkstattStore

@Suite("Migrations")
struct MigrationTests {
    @Test("the binary's embedded SQL equals sql/ in the source tree")
    func embeddedCopyEqualsSourceTree() throws {
        let sqlFolder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: sqlFolder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(Migration.embedded.map(\.name) == files)
        for migration in Migration.embedded {
            let onDisk = try String(contentsOf: sqlFolder.appending(path: migration.name), encoding: .utf8)
            #expect(migration.sql == onDisk, "\(migration.name) differs from the embedded copy")
        }
    }

    @Test("migrating twice applies each file once")
    func migratingTwice() async throws {
        try await TestDatabase.withEmptyDatabase { client in
            let migrator = Migrator(client: client, logger: TestDatabase.logger)
            #expect(try await migrator.pending() == Migration.embedded.map(\.name))
            let first = try await migrator.migrate()
            #expect(first == Migration.embedded.map(\.name))
            let second = try await migrator.migrate()
            #expect(second.isEmpty)
            #expect(try await migrator.applied().count == Migration.embedded.count)
            #expect(try await migrator.pending().isEmpty)
        }
    }

    @Test("four processes migrating at once take turns and apply each file once")
    func migratingConcurrently() async throws {
        try await TestDatabase.withEmptyDatabase { client in
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await Migrator(client: client, logger: TestDatabase.logger).migrate() }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(applied.sorted() == Migration.embedded.map(\.name).sorted())
        }
    }

    @Test("an applied migration whose file was edited is refused")
    func editedMigrationIsRefused() async throws {
        try await TestDatabase.withEmptyDatabase { client in
            let original = Migration(name: "001_a.sql", sql: "CREATE TABLE a (x int);")
            try await Migrator(client: client, migrations: [original], logger: TestDatabase.logger).migrate()
            let edited = Migration(name: "001_a.sql", sql: "CREATE TABLE a (x bigint);")
            await #expect(throws: Migrator.Failure.self) {
                try await Migrator(client: client, migrations: [edited], logger: TestDatabase.logger).migrate()
            }
            // What serve and the worker check before they start.
            await #expect(throws: Migrator.Failure.self) {
                try await Migrator(client: client, migrations: [edited], logger: TestDatabase.logger).pending()
            }
        }
    }

    @Test("a failing migration leaves nothing half-applied")
    func failingMigrationRollsBack() async throws {
        try await TestDatabase.withEmptyDatabase { client in
            let broken = Migration(name: "001_broken.sql", sql: "CREATE TABLE b (x int);\nSELECT nonsense_here;")
            await #expect(throws: (any Error).self) {
                try await Migrator(client: client, migrations: [broken], logger: TestDatabase.logger).migrate()
            }
            let rows = try await client.query("SELECT to_regclass('b') IS NULL", logger: TestDatabase.logger)
            for try await absent in rows.decode(Bool.self) { #expect(absent) }
            #expect(try await Migrator(client: client, migrations: [broken], logger: TestDatabase.logger).applied().isEmpty)
        }
    }

    @Test("the splitter keeps dollar-quoted bodies, quotes and comments whole")
    func splitter() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE t (s text DEFAULT 'a;b''c');
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
            /* block; comment */ SELECT $tag$ ; $tag$;
            """
        let statements = SQLSplitter.statements(in: script)
        #expect(statements.count == 3)
        #expect(statements[0].hasSuffix("DEFAULT 'a;b''c')"))
        #expect(statements[1].contains("BEGIN RETURN 1; END;"))
        #expect(statements[2].hasSuffix("SELECT $tag$ ; $tag$"))
    }
}
