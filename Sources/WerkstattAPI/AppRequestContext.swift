import Hummingbird
import NIOCore
import WerkstattDomain

/// The request context of every Werkstatt route: who calls, from where, and the body limit.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `Admission` on `/v1` routes, before the body is read.
    public var caller: Caller?
    /// The peer of the connection (a proxy's, behind one).
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies above the route's limit (`BodyLimit`, set by `Admission`) are refused with
    /// 413 before they are read in full.
    public var maxUploadSize: Int = BodyLimit.standard

    /// The authenticated caller; `Admission` guarantees one on `/v1` routes.
    func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized }
        return caller
    }
}
