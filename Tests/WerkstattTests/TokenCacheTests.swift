import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Synchronization
import Testing
@testable import WerkstattAPI
import WerkstattDomain
import WerkstattStore

/// The token cache never serves a token whose caller has changed once the change's
/// notification has arrived, in any process; while nobody listens it keeps nothing; and a
/// lost notification is made good by the TTL (docs/security.md, "Token cache").
///
/// The caches' clocks stand still unless a test moves them, so an entry never expires by
/// itself here: a token refused after a change was dropped by the notification. Waiting
/// for a notification is polling with a wide bound, which only limits a failing test.
@Suite("Token cache") struct TokenCacheTests {
    /// One API process: its application (own client, own cache and listener) and its cache.
    struct Process: Sendable {
        var api: TestAPI
        var cache: TokenCache
    }

    /// Two API processes on one fresh database, both listening, with an admin token.
    static func twoProcesses(_ body: @Sendable (Process, Process) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { url in
            func process() -> (PostgresClient, TokenCache, some ApplicationProtocol) {
                let client = PostgresClient(configuration: url.configuration, backgroundLogger: TestDatabase.poolLogger)
                let cache = TokenCache(ttl: .seconds(5), clock: ManualClock())
                return (client, cache, buildApplication(configuration: TestAPI.configuration, client: client,
                                                        tokenCache: cache, logger: TestDatabase.logger))
            }
            let (clientA, cacheA, appA) = process()
            let (clientB, cacheB, appB) = process()
            try await appA.test(.router) { a in
                try await appB.test(.router) { b in
                    let admin = try await PostgresTokenRepository(client: clientA, logger: TestDatabase.logger)
                        .createAdminToken(label: "tests")
                    #expect(try await eventually { cacheA.isListening && cacheB.isListening })
                    try await body(Process(api: TestAPI(client: a, admin: admin, database: clientA), cache: cacheA),
                                   Process(api: TestAPI(client: b, admin: admin, database: clientB), cache: cacheB))
                }
            }
        }
    }

    /// Whether `condition` holds within `limit` (asked every 10 ms).
    static func eventually(within limit: Duration = .seconds(30), _ condition: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
        // Each look under a deadline of its own: a query handed a connection the server has
        // just ended can wait for ever (PostgresNIO), and is then left behind and asked again.
        func holds() async throws -> Bool {
            do { return try await Deadline.run(.seconds(5), condition) } catch StoreError.unavailable { return false }
        }
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if try await holds() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await holds()
    }

    /// The status `GET path` gets with `token` in `process`.
    static func status(_ process: Process, _ path: String, _ token: String) async throws -> HTTPResponse.Status {
        try await process.api.get(path, token: token).status
    }

    @Test("a token revoked through one process is refused by the other, and stays refused")
    func revocation() async throws {
        try await Self.twoProcesses { a, b in
            let s = try await Scenario.make(a.api)
            let path = "/v1/workshops/\(s.workshop)"
            #expect(try await Self.status(a, path, s.participant) == .ok)
            #expect(try await Self.status(b, path, s.participant) == .ok)
            #expect(a.cache.keeps(s.participant) && b.cache.keeps(s.participant))

            let revoked = try await a.api.request(.delete, "/v1/members/\(s.participantId)/token", token: s.moderator)
            #expect(revoked.status == .noContent)
            #expect(try await Self.eventually { try await Self.status(b, path, s.participant) == .unauthorized })
            #expect(try await Self.eventually { try await Self.status(a, path, s.participant) == .unauthorized })
            #expect(!a.cache.keeps(s.participant) && !b.cache.keeps(s.participant))
            // The others were not touched.
            #expect(try await Self.status(b, path, s.observer) == .ok)
        }
    }

    @Test("after a rotation the old token is refused everywhere and the new one works")
    func rotation() async throws {
        try await Self.twoProcesses { a, b in
            let s = try await Scenario.make(a.api)
            let path = "/v1/workshops/\(s.workshop)"
            #expect(try await Self.status(a, path, s.participant) == .ok)
            #expect(try await Self.status(b, path, s.participant) == .ok)

            let rotated = try await b.api.post("/v1/members/\(s.participantId)/token:rotate", token: s.moderator, "{}")
            #expect(rotated.status == .ok)
            let fresh = try #require(rotated.body["token"]?.string)
            #expect(try await Self.eventually { try await Self.status(a, path, s.participant) == .unauthorized })
            #expect(try await Self.eventually { try await Self.status(b, path, s.participant) == .unauthorized })
            #expect(try await Self.status(a, path, fresh) == .ok)

            // An admin token rotated and then revoked from the command line (a third client).
            let tokens = PostgresTokenRepository(client: a.api.database, logger: TestDatabase.logger)
            let admin = try await tokens.createAdminToken(label: "Land", expiresAt: nil)
            #expect(try await Self.status(a, "/v1/workshops", admin.token) == .ok)
            #expect(try await Self.status(b, "/v1/workshops", admin.token) == .ok)
            let replaced = try #require(try await tokens.rotateAdminToken(admin.id, expiresAt: nil, by: .commandLine))
            #expect(try await Self.eventually { try await Self.status(a, "/v1/workshops", admin.token) == .unauthorized })
            #expect(try await Self.eventually { try await Self.status(b, "/v1/workshops", admin.token) == .unauthorized })
            #expect(try await Self.status(b, "/v1/workshops", replaced.token) == .ok)
            #expect(try await tokens.revokeAdminToken(admin.id, by: .commandLine))
            #expect(try await Self.eventually { try await Self.status(b, "/v1/workshops", replaced.token) == .unauthorized })
        }
    }

    @Test("a role changed in the database and a workshop closed through one process reach the other")
    func roleAndClosing() async throws {
        try await Self.twoProcesses { a, b in
            let s = try await Scenario.make(a.api)
            let members = "/v1/workshops/\(s.workshop)/members"
            #expect(try await Self.status(b, members, s.moderator) == .ok)
            // No route changes a role: an operator does it in SQL.
            try await a.api.database.query("""
                UPDATE members SET role = 'participant' WHERE workshop_id = \(UUID(uuidString: s.workshop)) AND role = 'moderator'
                """, logger: TestDatabase.logger)
            #expect(try await Self.eventually { try await Self.status(b, members, s.moderator) == .forbidden })

            // Closing makes every member's token read-only ('*': everything is dropped).
            let thesis = "/v1/workshops/\(s.workshop)/theses"
            #expect(try await b.api.post(thesis, token: s.participant, #"{"title":"t","body":"b"}"#).status == .created)
            #expect(b.cache.keeps(s.participant))
            let closed = try await a.api.post("/v1/workshops/\(s.workshop)/phase", token: a.api.admin, #"{"phase":"closed"}"#)
            #expect(closed.status == .ok, "\(closed.text)")
            #expect(try await Self.eventually { !b.cache.keeps(s.participant) })
            #expect(try await b.api.post(thesis, token: s.participant, #"{"title":"t","body":"b"}"#).status == .forbidden)
        }
    }

    @Test("a notification that never came is made good by the TTL, and no entry outlives its token's expiry")
    func ttl() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let clock = ManualClock()
            try await Self.listening(url, ttl: .seconds(5), clock: clock) { client, cache in
                let tokens = PostgresTokenRepository(client: client, logger: TestDatabase.logger)
                let issued = try await tokens.createAdminToken(label: "t", expiresAt: nil)
                let load: @Sendable (String) async throws -> TokenLookup? = { try await tokens.lookup(token: $0) }
                #expect(try await cache.lookup(issued.token, load: load) != nil)
                #expect(cache.keeps(issued.token))
                // Revoked without its notification (the trigger off, as a lost message would be).
                try await client.withTransaction(logger: TestDatabase.logger) { tx in
                    try await tx.query("ALTER TABLE admin_tokens DISABLE TRIGGER admin_tokens_caller_changed", logger: TestDatabase.logger)
                    try await tx.query("UPDATE admin_tokens SET revoked_at = now() WHERE id = \(issued.id)", logger: TestDatabase.logger)
                    try await tx.query("ALTER TABLE admin_tokens ENABLE TRIGGER admin_tokens_caller_changed", logger: TestDatabase.logger)
                }
                clock.advance(by: .milliseconds(4999))
                #expect(try await cache.lookup(issued.token, load: load) != nil, "kept up to the TTL")
                clock.advance(by: .milliseconds(1))
                #expect(try await cache.lookup(issued.token, load: load) == nil, "refused at the TTL")

                // A token that expires in a minute is kept a minute at most (counted from
                // before its look-up), however long the TTL. (Kept at half a minute: the
                // look-up itself may come seconds after the token on a loaded machine.)
                let long = TokenCache(ttl: .seconds(3600), clock: clock)
                long.setListening(true)
                let brief = try await tokens.createAdminToken(label: "t", expiresAt: Date(timeIntervalSinceNow: 60))
                #expect(try await long.lookup(brief.token, load: load) != nil)
                clock.advance(by: .seconds(30))
                #expect(long.keeps(brief.token))
                clock.advance(by: .seconds(30))
                #expect(!long.keeps(brief.token))
            }
        }
    }

    @Test("while the listener is away nothing is kept and every look-up asks the database; it comes back")
    func listenerLost() async throws {
        try await TestDatabase.withFreshDatabase { url in
            // The listener tries again only after an hour: the outage lasts as long as the test needs.
            try await Self.listening(url, ttl: .seconds(5), clock: ManualClock(), retryDelay: .seconds(3600)) { client, cache in
                let tokens = PostgresTokenRepository(client: client, logger: TestDatabase.logger)
                let issued = try await tokens.createAdminToken(label: "t", expiresAt: nil)
                let asked = Asked()
                let load: @Sendable (String) async throws -> TokenLookup? = {
                    asked.count.wrappingAdd(1, ordering: .relaxed)
                    return try await tokens.lookup(token: $0)
                }
                _ = try await cache.lookup(issued.token, load: load)
                _ = try await cache.lookup(issued.token, load: load)
                #expect(asked.count.load(ordering: .relaxed) == 1)

                _ = try await Self.terminateListener(client)
                #expect(try await Self.eventually { !cache.isListening })
                #expect(try await Self.poolAnswers(client))
                #expect(cache.count == 0)
                _ = try await cache.lookup(issued.token, load: load)
                _ = try await cache.lookup(issued.token, load: load)
                #expect(asked.count.load(ordering: .relaxed) == 3)
                #expect(!cache.keeps(issued.token))
                // A revocation now, whose notification nobody hears, counts at once.
                #expect(try await tokens.revokeAdminToken(issued.id, by: .commandLine))
                #expect(try await cache.lookup(issued.token, load: load) == nil)
            }
            try await Self.listening(url, ttl: .seconds(5), clock: ManualClock(), retryDelay: .milliseconds(50)) { client, cache in
                let tokens = PostgresTokenRepository(client: client, logger: TestDatabase.logger)
                let issued = try await tokens.createAdminToken(label: "t", expiresAt: nil)
                let load: @Sendable (String) async throws -> TokenLookup? = { try await tokens.lookup(token: $0) }
                let ended = try await Self.terminateListener(client)
                // A new LISTEN connection means the old one's loss was seen (the cache emptied).
                // Until the pool has seen the ended connection close it may hand it out, and
                // the question fails: asked again.
                #expect(try await Self.eventually { (try? await Self.listenerBackend(client)).flatMap { $0 }.map { $0 != ended } ?? false })
                #expect(try await Self.eventually { cache.isListening })
                // Listening again: kept, and dropped on the next change.
                _ = try await cache.lookup(issued.token, load: load)
                #expect(cache.keeps(issued.token))
                #expect(try await tokens.revokeAdminToken(issued.id, by: .commandLine))
                #expect(try await Self.eventually { try await cache.lookup(issued.token, load: load) == nil })
            }
        }
    }

    @Test("an answer read before a change is not kept after the change's notification")
    func lookupRacingAChange() async throws {
        let cache = TokenCache(ttl: .seconds(5), clock: ManualClock())
        cache.setListening(true)
        let live = TokenLookup.caller(.admin(id: UUID()), expiresIn: nil)
        // The notification arrives while the look-up is on its way back.
        _ = try await cache.lookup("t") { token in
            cache.apply(.token(hash: Token.hash(token)))
            return live
        }
        #expect(!cache.keeps("t"))
        _ = try await cache.lookup("u") { _ in
            cache.apply(.all)
            return live
        }
        #expect(!cache.keeps("u"))
        // Undisturbed, it is kept; a change of another token leaves it.
        _ = try await cache.lookup("t") { _ in live }
        cache.apply(.token(hash: Token.hash("u")))
        #expect(cache.keeps("t"))
        // Unknown and expired tokens are never kept.
        _ = try await cache.lookup("x") { _ in nil }
        _ = try await cache.lookup("y") { _ in .expired }
        #expect(!cache.keeps("x") && !cache.keeps("y"))
    }

    @Test("a notification's payload: a token's hash, else everything")
    func payloads() {
        let hash = Token.hash("t")
        #expect(CallerChange(payload: hash.map { String(format: "%02x", $0) }.joined()) == .token(hash: hash))
        #expect(CallerChange(payload: "*") == .all)
        #expect(CallerChange(payload: String(repeating: "g", count: 64)) == .all)
    }

    /// Runs a client and a token cache's listener on the database at `url` until `body` returns.
    static func listening(_ url: DatabaseURL, ttl: Duration, clock: ManualClock, retryDelay: Duration = .seconds(1),
                          _ body: @Sendable (PostgresClient, TokenCache) async throws -> Void) async throws {
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: TestDatabase.poolLogger)
        let cache = TokenCache(ttl: ttl, clock: clock)
        let listener = TokenCacheListener(client: client, cache: cache, logger: TestDatabase.logger, retryDelay: retryDelay)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            group.addTask { try await listener.run() }
            defer { group.cancelAll() }
            #expect(try await eventually { cache.isListening })
            try await body(client, cache)
        }
    }

    /// The server process of the listener's connection, if there is one.
    static func listenerBackend(_ client: PostgresClient) async throws -> Int32? {
        let rows = try await client.query("""
            SELECT pid FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%werkstatt_caller_changes%'
            """, logger: TestDatabase.logger)
        return try await rows.all { try $0.get("pid", as: Int32.self) }.first
    }

    /// Whether the pool answers again after a connection of it was ended from the server
    /// side: until the pool has seen the connection close, it may still hand it out, and a
    /// query on it fails (PostgresNIO's pool; a request after a restart can meet the same).
    static func poolAnswers(_ client: PostgresClient) async throws -> Bool {
        try await eventually {
            (try? await client.query("SELECT 1 AS one", logger: TestDatabase.logger).all { try $0.get("one", as: Int32.self) }) == [1]
        }
    }

    /// Ends the listener's connection from the server side, as a restart or a network
    /// fault would; returns its server process.
    static func terminateListener(_ client: PostgresClient) async throws -> Int32 {
        let pid = try #require(try await listenerBackend(client))
        let rows = try await client.query("SELECT pg_terminate_backend(\(pid)) AS ended", logger: TestDatabase.logger)
        #expect(try await rows.all { try $0.get("ended", as: Bool.self) } == [true])
        return pid
    }

    /// Counts look-ups that reached the database.
    final class Asked: Sendable {
        let count = Atomic(0)
    }
}
