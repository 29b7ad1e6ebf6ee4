import Foundation
import Synchronization
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WerkstattAPI
import WerkstattStore

/// The request deadline holds even when a handler ignores cancellation, as a PostgresNIO
/// query can while PostgreSQL shuts down.
@Suite struct DeadlineTests {
    /// Waits without reacting to cancellation, like the stuck query.
    static func waitIgnoringCancellation(_ seconds: Double) async {
        await withCheckedContinuation { done in
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { done.resume() }
        }
    }

    func application(deadline: Duration) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        router.put("stuck") { request, _ -> String in
            let body = try await request.body.collect(upTo: 1024)
            await Self.waitIgnoringCancellation(3)
            return String(buffer: body)
        }
        router.put("echo") { request, _ -> String in
            String(buffer: try await request.body.collect(upTo: 1024))
        }
        return Application(responder: DeadlineResponder(responder: router.buildResponder(), deadline: deadline))
    }

    @Test("a handler that never returns is answered 503 problem+json at the deadline")
    func stuckHandler() async throws {
        try await application(deadline: .milliseconds(300)).test(.router) { client in
            let started = ContinuousClock.now
            try await client.execute(uri: "/stuck", method: .put, body: ByteBuffer(string: "ballot")) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains("did not finish within 0.3 s"))
            }
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }

    @Test("the handler still reads the body the deadline collected first")
    func bodyIsPassedOn() async throws {
        try await application(deadline: .seconds(2)).test(.router) { client in
            try await client.execute(uri: "/echo", method: .put, body: ByteBuffer(string: "Stimmzettel")) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "Stimmzettel")
            }
        }
    }

    @Test("a body over 1 MiB is refused with 413 problem+json before any handler runs")
    func bodyTooLarge() async throws {
        try await application(deadline: .seconds(2)).test(.router) { client in
            let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: (1 << 20) + 1)
            try await client.execute(uri: "/echo", method: .put, body: body) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("cancelling the caller of Deadline.run cancels the operation and returns at once")
    func cancellationReachesTheOperation() async throws {
        let operationCancelled = Mutex(false)
        let started = ContinuousClock.now
        let caller = Task {
            try await Deadline.run(.seconds(10)) {
                do { try await Task.sleep(for: .seconds(10)) } catch { operationCancelled.withLock { $0 = true } }
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(ContinuousClock.now - started < .seconds(2))
        try await Task.sleep(for: .milliseconds(100))
        #expect(operationCancelled.withLock { $0 })
    }

    @Test("Deadline.run gives up at the deadline and returns the operation's result before it")
    func deadline() async throws {
        await #expect(throws: StoreError.self) {
            try await Deadline.run(.milliseconds(100)) { await DeadlineTests.waitIgnoringCancellation(1); return 1 }
        }
        #expect(try await Deadline.run(.seconds(5)) { 42 } == 42)
    }
}
