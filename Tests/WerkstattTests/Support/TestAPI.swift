import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
import WerkstattAPI
import WerkstattStore

/// A response as the tests read it.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: JSON
    var text: String

    /// The `id` of the created or returned resource.
    var id: String { body["id"]?.string ?? "" }
}

/// Drives the application through its router, like a client would over HTTP.
struct TestAPI: Sendable {
    let client: any TestClientProtocol
    /// A token of an installation admin.
    let admin: String
    /// The database behind the application, for checks the API does not expose.
    let database: PostgresClient

    func request(_ method: HTTPRequest.Method, _ path: String, token: String?, json: String? = nil,
                 contentType: String? = nil, body: ByteBuffer? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer = body
        if let json {
            headers[.contentType] = contentType ?? "application/json"
            buffer = ByteBuffer(string: json)
        } else if let contentType {
            headers[.contentType] = contentType
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: buffer) { response in
            let text = String(buffer: response.body)
            let json = (try? JSON.parse(Data(text.utf8))) ?? .null
            return Reply(status: response.status, headers: response.headers, body: json, text: text)
        }
    }

    func get(_ path: String, token: String?) async throws -> Reply {
        try await request(.get, path, token: token)
    }

    func post(_ path: String, token: String?, _ json: String) async throws -> Reply {
        try await request(.post, path, token: token, json: json)
    }

    func put(_ path: String, token: String?, _ json: String) async throws -> Reply {
        try await request(.put, path, token: token, json: json)
    }

    /// Encodes a Swift value as a JSON text, so tests need not escape strings by hand.
    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Settings for tests: limits far beyond what a test reaches, a request deadline
    /// that a loaded machine never hits (DeadlineTests test the deadline itself), and no
    /// token cache: with one, a change to a token takes effect when its notification
    /// arrives, a few milliseconds after the answer, and every test that changes one and
    /// uses it at once would have to wait for that (TokenCacheTests test the cache).
    static let configuration = AppConfiguration(requestDeadline: .seconds(120), rateLimit: .init(rate: 10_000, burst: 10_000),
                                                addressRateLimit: .init(rate: 10_000, burst: 10_000), tokenCacheTTL: .zero)

    /// Builds the application on a fresh database and runs `body` against it.
    static func run(configuration: AppConfiguration = TestAPI.configuration,
                    _ body: @Sendable (TestAPI) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { url in
            // The application runs the client as one of its services.
            let database = PostgresClient(configuration: url.configuration, backgroundLogger: TestDatabase.poolLogger)
            let app = buildApplication(configuration: configuration, client: database, logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let admin = try await PostgresTokenRepository(client: database, logger: TestDatabase.logger)
                    .createAdminToken(label: "tests")
                try await body(TestAPI(client: client, admin: admin, database: database))
            }
        }
    }
}

/// A workshop set up for a test: ids and one token per role.
struct Scenario: Sendable {
    var workshop: String
    var moderator: String
    var participant: String
    var participantId: String
    var observer: String

    /// Creates a workshop in `phase` with a moderator, a participant and an observer.
    static func make(_ api: TestAPI, slug: String = "sachsen-2016", phase: String = "collecting") async throws -> Scenario {
        let workshop = try await api.post("/v1/workshops", token: api.admin,
                                          #"{"slug":"\#(slug)","title":"StrategieWerkstatt Sachsen"}"#)
        try #require(workshop.status == .created, "\(workshop.text)")
        func member(_ role: String, _ group: String) async throws -> Reply {
            let reply = try await api.post("/v1/workshops/\(workshop.id)/members", token: api.admin,
                                           #"{"display_name":"\#(role)","role":"\#(role)","stakeholder_group":"\#(group)"}"#)
            try #require(reply.status == .created, "\(reply.text)")
            return reply
        }
        let moderator = try await member("moderator", "administration")
        let participant = try await member("participant", "industry")
        let observer = try await member("observer", "science")
        if phase != "draft" {
            let moved = try await api.post("/v1/workshops/\(workshop.id)/phase", token: api.admin, #"{"phase":"\#(phase)"}"#)
            try #require(moved.status == .ok, "\(moved.text)")
        }
        return Scenario(workshop: workshop.id, moderator: moderator.body["token"]!.string!,
                        participant: participant.body["token"]!.string!, participantId: participant.id,
                        observer: observer.body["token"]!.string!)
    }

    /// Adds a member with a stakeholder group and returns its id.
    func memberId(_ api: TestAPI, group: String) async throws -> String {
        let reply = try await api.post("/v1/workshops/\(workshop)/members", token: moderator,
                                       #"{"display_name":"m","role":"participant","stakeholder_group":"\#(group)"}"#)
        try #require(reply.status == .created, "\(reply.text)")
        return reply.id
    }

    /// Adds a member with a stakeholder group and returns its token.
    func member(_ api: TestAPI, group: String, role: String = "participant") async throws -> String {
        let reply = try await api.post("/v1/workshops/\(workshop)/members", token: moderator,
                                       #"{"display_name":"m","role":"\#(role)","stakeholder_group":"\#(group)"}"#)
        try #require(reply.status == .created, "\(reply.text)")
        return reply.body["token"]!.string!
    }
}
