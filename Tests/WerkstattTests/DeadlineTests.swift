import Synchronization
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WerkstattAPI
import WerkstattStore

/// The request deadline holds even when a handler ignores cancellation, as a PostgresNIO
/// query can while PostgreSQL shuts down.
@Suite struct DeadlineTests {
    /// `stuck` waits on `gate`, ignoring cancellation like the stuck query, until the test opens it.
    func application(deadline: Duration, gate: Gate = Gate()) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        router.put("stuck") { request, _ -> String in
            let body = try await request.body.collect(upTo: 1024)
            await gate.wait()
            return String(buffer: body)
        }
        router.put("echo") { request, _ -> String in
            String(buffer: try await request.body.collect(upTo: 1024))
        }
        return Application(responder: DeadlineResponder(responder: router.buildResponder(), deadline: deadline))
    }

    @Test("a handler that never returns is answered 503 problem+json at the deadline")
    func stuckHandler() async throws {
        // The handler cannot finish before the response arrives, so only the deadline can answer.
        let gate = Gate()
        defer { gate.open() }
        try await application(deadline: .milliseconds(300), gate: gate).test(.router) { client in
            try await client.execute(uri: "/stuck", method: .put, body: ByteBuffer(string: "ballot")) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains("did not finish within 0.3 s"))
            }
            #expect(!gate.isOpen)
        }
    }

    @Test("the handler still reads the body the deadline collected first")
    func bodyIsPassedOn() async throws {
        try await application(deadline: .seconds(120)).test(.router) { client in
            try await client.execute(uri: "/echo", method: .put, body: ByteBuffer(string: "Stimmzettel")) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "Stimmzettel")
            }
        }
    }

    @Test("a body over 1 MiB is refused with 413 problem+json before any handler runs")
    func bodyTooLarge() async throws {
        try await application(deadline: .seconds(120)).test(.router) { client in
            let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: (1 << 20) + 1)
            try await client.execute(uri: "/echo", method: .put, body: body) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("cancelling the caller of Deadline.run cancels the operation and returns without waiting for it")
    func cancellationReachesTheOperation() async throws {
        let started = Gate(), release = Gate()
        let operationCancelled = Mutex(false)
        defer { release.open() }
        let caller = Task {
            try await Deadline.run(.seconds(3600)) {
                await withTaskCancellationHandler {
                    started.open()
                    await release.wait()
                } onCancel: {
                    operationCancelled.withLock { $0 = true }
                }
                return 1
            }
        }
        await started.wait()
        caller.cancel()
        // The operation is still held at `release`: the caller returned without it.
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(!release.isOpen)
        #expect(operationCancelled.withLock { $0 })
    }

    @Test("Deadline.run gives up at the deadline and returns the operation's result before it")
    func deadline() async throws {
        let release = Gate()
        defer { release.open() }
        await #expect(throws: StoreError.self) {
            try await Deadline.run(.milliseconds(100)) { await release.wait(); return 1 }
        }
        #expect(try await Deadline.run(.seconds(3600)) { 42 } == 42)
    }
}
