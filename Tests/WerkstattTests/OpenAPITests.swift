import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Testing
import WerkstattAPI
import WerkstattStore
import Yams

@Suite("OpenAPI document")
struct OpenAPITests {
    /// docs/openapi.yaml as in the source tree.
    static func document() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "docs/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == OpenAPIDocument.text, "the served document is the one in docs/")
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    /// "METHOD /path/{param}" of every route the router has.
    static func routerRoutes() throws -> [String] {
        let client = PostgresClient(configuration: try DatabaseURL("postgres://nobody@127.0.0.1/none").configuration,
                                    backgroundLogger: Logger(label: "unused"))
        let router = buildRouter(client: client, logger: Logger(label: "unused"))
        return router.routes.map { route -> String in
            let path = route.path.description.split(separator: "/").map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }.joined(separator: "/")
            return "\(route.method.rawValue) /\(path)"
        }
    }

    @Test("every route the router has is in the document, and nothing else")
    func routesMatchDocument() throws {
        let routed = Set(try Self.routerRoutes())
        let paths = try #require(try Self.document()["paths"] as? [String: Any])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch"]
        let documented = Set(paths.flatMap { path, item in
            ((item as? [String: Any]) ?? [:]).keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
        })
        #expect(routed.subtracting(documented).sorted() == [], "routes missing from docs/openapi.yaml")
        #expect(documented.subtracting(routed).sorted() == [], "documented paths the server does not have")
    }
}
