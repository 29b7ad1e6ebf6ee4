import Foundation
import Hummingbird
import WerkstattDomain

/// 429 with Retry-After when the caller (established by `Admission` before the body was
/// read) is over the per-token rate limit.
struct TokenRateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: RateLimiter<UUID>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = try context.requireCaller()
        if let wait = limiter.take(for: caller.rateLimitKey) {
            throw APIError.tooManyRequests(wait: wait, detail: "more than \(Int(limiter.limit.rate)) requests a second with this token")
        }
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
