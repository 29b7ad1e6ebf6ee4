import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattStore

/// Establishes the caller from `Authorization: Bearer <token>`: 401 without a live token,
/// 429 with Retry-After when the caller is over its rate limit.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: any TokenRepository
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization],
              header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 200, let caller = try await tokens.caller(token: token) else {
            throw APIError.unauthorized
        }
        if let wait = limiter.take(for: caller.rateLimitKey) {
            let seconds = Int(wait.seconds.rounded(.up))
            var problem = APIError(.tooManyRequests, "rate-limited",
                                   "more than \(Int(limiter.limit.rate)) requests a second with this token; retry after \(max(seconds, 1)) s")
            problem.headers[.retryAfter] = String(max(seconds, 1))
            throw problem
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}

extension Caller {
    /// Whose bucket a request is counted in.
    var rateLimitKey: UUID {
        switch self {
        case .admin(let id): id
        case .member(let member): member.id
        case .commandLine: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        }
    }
}
