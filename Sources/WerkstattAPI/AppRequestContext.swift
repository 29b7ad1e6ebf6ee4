import Hummingbird
import WerkstattDomain

/// The request context of every Werkstatt route: who calls, and the body limit.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on `/v1` routes.
    public var caller: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Bodies above 1 MiB are refused with 413 before they are read in full.
    public var maxUploadSize: Int { 1 << 20 }

    /// The authenticated caller; `AuthMiddleware` guarantees one on `/v1` routes.
    func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized }
        return caller
    }
}
