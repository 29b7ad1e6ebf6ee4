import Hummingbird
import WerkstattStore

/// Establishes the caller from `Authorization: Bearer <token>`; 401 without a live token.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: any TokenRepository

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization],
              header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 200, let caller = try await tokens.caller(token: token) else {
            throw APIError.unauthorized
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}
