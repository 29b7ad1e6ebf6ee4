import Hummingbird
import Synchronization

/// Answers a path the API has, asked with a method it does not take, with 405 and
/// `Allow` (the router alone says 404).
struct AllowedMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = table.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            let names = allowed.map(\.rawValue)
            var problem = APIError(.methodNotAllowed, "method-not-allowed",
                                   "\(request.method.rawValue) is not allowed here; use \(names.sorted().joined(separator: ", "))")
            problem.headers[.allow] = names.sorted().joined(separator: ", ")
            throw problem
        }
    }
}

/// The router's paths and their methods, filled once every route is registered.
final class RouteTable: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: HTTPRequest.Method)]>([])

    func load<Context>(_ router: Router<Context>) {
        routes.withLock { routes in
            routes = router.routes.map { route in
                (route.path.description.split(separator: "/"), route.method)
            }
        }
    }

    /// The methods registered for paths matching this one (`:name` matches any segment).
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let segments = path.split(separator: "/")
        return routes.withLock { routes in
            Set(routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
            }.map(\.method))
        }
    }
}
