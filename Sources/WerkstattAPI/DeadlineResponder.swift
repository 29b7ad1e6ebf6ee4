import Hummingbird
import Metrics
import WerkstattStore

/// Answers 503 problem+json when a request does not finish in time, which is what
/// happens while PostgreSQL is down. It wraps the whole router rather than sitting in it
/// as a middleware because a middleware cannot stop waiting for its handler, and a
/// handler can wait for ever: PostgresNIO 1.33.2 does not always give up a query on
/// cancellation while PostgreSQL shuts down. Here the handler runs under
/// `Deadline.run`, is cancelled at the deadline and, if it still does not return, left
/// behind (`werkstatt_requests_abandoned_total` counts them). Being outside the router,
/// it renders its own problems: Hummingbird would turn an error thrown here into a
/// bare 500. It is also the front door: `Admission` checks the client's address, the
/// route's body limit and the token before any of the body is read.
public struct DeadlineResponder<Responder: HTTPResponder>: HTTPResponder where Responder.Context == AppRequestContext {
    let responder: Responder
    let deadline: Duration
    let admission: Admission?

    /// Without `admission`, requests go to the router as they come (tests of the deadline alone).
    init(responder: Responder, deadline: Duration, admission: Admission? = nil) {
        self.responder = responder
        self.deadline = deadline
        self.admission = admission
    }

    public func respond(to request: Request, context: AppRequestContext) async throws -> Response {
        var body = request
        var context = context
        do {
            // Before the body: the address limit, the route's body limit and the token.
            try await admission?.admit(request, context: &context, deadline: deadline)
            // Read the body first, here: a handler left behind must not be the one still
            // reading from the connection when the next request arrives on it.
            _ = try await body.collectBody(upTo: context.maxUploadSize)
        } catch StoreError.unavailable {
            return try abandoned(request, context: context)
        } catch {
            return try ProblemMiddleware<AppRequestContext>.problem(for: error, logger: context.logger)
                .response(from: request, context: context)
        }
        let (responder, request, admitted) = (self.responder, body, context)
        do {
            return try await Deadline.run(deadline) { try await responder.respond(to: request, context: admitted) }
        } catch StoreError.unavailable {
            return try abandoned(request, context: context)
        }
    }

    private func abandoned(_ request: Request, context: AppRequestContext) throws -> Response {
        context.logger.warning("request abandoned at its deadline", metadata: ["path": "\(request.uri.path)"])
        Counter(label: "werkstatt_requests_abandoned_total").increment()
        return try APIError.unavailable("the request did not finish within \(deadline.seconds) s; the database may be unavailable")
            .response(from: request, context: context)
    }
}
