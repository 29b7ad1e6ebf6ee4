import Hummingbird
import WerkstattStore

/// Answers 503 instead of hanging when a request does not finish in time, which is what
/// happens while PostgreSQL is down: the connection pool waits for it to come back.
struct DeadlineMiddleware<Context: RequestContext>: RouterMiddleware {
    let deadline: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The handler runs in a child task so that it can be cancelled; the task group
        // waits for it before returning, so `next` does not outlive this call.
        try await withoutActuallyEscaping(next) { next in
            nonisolated(unsafe) let handler = next
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await handler(request, context) }
                group.addTask {
                    try await Deadline.sleep(for: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let response = try await group.next() ?? nil else {
                    let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
                    throw APIError(.serviceUnavailable, "unavailable",
                                   "the request did not finish within \(seconds) s; the database may be unavailable")
                }
                return response
            }
        }
    }
}
