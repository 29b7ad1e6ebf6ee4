import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import WerkstattRules
import WerkstattStore

/// Where any error becomes a problem+json answer: whatever is thrown in the router, and,
/// through `problem(for:logger:)`, what `DeadlineResponder` refuses outside it.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.problem(for: error, logger: context.logger).response(from: request, context: context)
        }
    }

    static func problem(for error: any Error, logger: Logger) -> APIError {
        if Task.isCancelled {
            // A cancelled request was answered already (DeadlineResponder's 503 at the
            // deadline) or its client is gone; whatever the handler threw on the way out
            // (CancellationError, the pool's requestCancelled…) is that, not a fault.
            return .unavailable("the request was cancelled")
        }
        switch StoreError.unwrapping(error) {
        case let error as APIError:
            return error
        case let error as RuleError:
            switch error {
            case .notFound(let what): return .notFound(what)
            case .forbidden(let reason): return .forbidden(reason)
            case .phase(let phase, let activity): return .phase(phase, forbids: activity)
            case .conflict(let detail): return .conflict(detail)
            case .invalid(let errors): return .invalid(errors)
            }
        case let error as StoreError:
            switch error {
            case .notFound(let what): return .notFound(what)
            case .conflict(let detail): return .conflict(detail)
            case .invalid(let errors): return .invalid(errors)
            case .unavailable(let detail):
                return .unavailable("\(detail); the database may be unavailable")
            case .shuttingDown:
                return .unavailable(error.explanation)
            }
        case let error as HTTPError:
            return fromHTTPError(error)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "too-large", BodyLimit.exceeded)
        case let error as PSQLError where Self.isUnavailable(error):
            logger.warning("database unavailable", metadata: ["error": "\(error.code)"])
            return .unavailable("the database is not reachable; try again shortly")
        default:
            logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalServerError, "internal", "an unexpected error occurred; it has been logged")
        }
    }

    private static func fromHTTPError(_ error: HTTPError) -> APIError {
        switch error.status {
        case .contentTooLarge:
            return APIError(.contentTooLarge, "too-large", BodyLimit.exceeded)
        case .notFound:
            return APIError(.notFound, "not-found", "no such resource")
        case .methodNotAllowed:
            return APIError(.methodNotAllowed, "method-not-allowed", "this method is not allowed on this path")
        default:
            var problem = APIError(error.status, "http", error.body ?? error.status.reasonPhrase)
            problem.headers = error.headers
            return problem
        }
    }

    /// The database went away: PostgresNIO lost the connection, or the server said it is
    /// shutting down (57P01–57P03) or the connection failed (class 08).
    private static func isUnavailable(_ error: PSQLError) -> Bool {
        if [.connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed,
            .uncleanShutdown].contains(error.code) {
            return true
        }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return ["57P01", "57P02", "57P03"].contains(state) || state.hasPrefix("08")
    }
}
