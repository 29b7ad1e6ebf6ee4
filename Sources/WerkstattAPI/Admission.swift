import Hummingbird
import HTTPTypes
import NIOCore
import WerkstattDomain
import WerkstattStore

/// What a request must pass before anything of its body is read: a limit per client
/// address (so that requests without a valid token are limited too, `/reports` and
/// `/openapi.yaml` included), the body limit of its route, and, for `/v1` routes, a valid
/// token. A stranger can thus neither make the server read a large body nor ask the
/// database unboundedly.
struct Admission: Sendable {
    let authenticator: Authenticator
    let addresses: RateLimiter<String>
    /// Peers whose `X-Forwarded-For` is believed (the reverse proxies in front).
    let trustedProxies: Set<String>

    /// Checks the request and prepares its context (body limit, caller); throws the
    /// problem to answer otherwise. The token look-up in the database runs under `deadline`.
    func admit(_ request: Request, context: inout AppRequestContext, deadline: Duration) async throws {
        // As the router sees it: empty segments do not count ("//v1/…" is "/v1/…").
        let path = "/" + request.uri.path.split(separator: "/").joined(separator: "/")
        // Load balancers probe health often from one address; those answers cost nothing.
        if !path.hasPrefix("/health/") {
            let client = ClientAddress.of(peer: context.remoteAddress?.ipAddress,
                                          forwardedFor: request.headers[values: .xForwardedFor],
                                          trustedProxies: trustedProxies)
            if let wait = addresses.take(for: client) {
                throw APIError.tooManyRequests(wait: wait, detail: "more than \(Int(addresses.limit.rate)) requests a second from this address")
            }
        }
        context.maxUploadSize = BodyLimit.bytes(for: path)
        if path.hasPrefix("/v1/") {
            context.caller = try await authenticator.caller(of: request, deadline: deadline)
        }
    }
}

/// Who holds the bearer token of a request, with the rules a token carries.
struct Authenticator: Sendable {
    let tokens: any TokenRepository
    /// Who holds a token, kept for a few seconds while its listener runs.
    let cache: TokenCache

    /// 401 without a live token (saying so when it expired); 403 for a write with the
    /// token of a member of a closed workshop, which reads only. Only a look-up in the
    /// database runs under `deadline`: a token the cache holds costs no task or timer.
    func caller(of request: Request, deadline: Duration) async throws -> Caller {
        guard let header = request.headers[.authorization],
              header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 200 else { throw APIError.unauthorized }
        let tokens = self.tokens
        let load: @Sendable (String) async throws -> TokenLookup? = { token in
            try await Deadline.run(deadline) { try await tokens.lookup(token: token) }
        }
        guard let found = try await cache.lookup(token, load: load) else {
            throw APIError.unauthorized
        }
        switch found {
        case .expired:
            throw APIError(.unauthorized, "token-expired", "this token has expired; ask a moderator of the workshop for a new one")
        case .caller(let caller, _):
            if let member = caller.member, member.readOnly, ![.get, .head].contains(request.method) {
                throw APIError.forbidden("the workshop is closed: its members' tokens read, and change nothing")
            }
            return caller
        }
    }
}

/// The largest body each route reads; 413 above it, before it is read in full.
enum BodyLimit {
    /// Every `/v1` route but the ones below.
    static let standard = 1 << 20
    /// A member import: 20 000 rows (`MemberImport.maxRows`) of about 150 bytes.
    static let memberImport = 4 << 20
    /// Routes outside `/v1` (health, reports, the document) take no body.
    static let outsideV1 = 16 << 10

    static func bytes(for path: String) -> Int {
        guard path.hasPrefix("/v1/") else { return outsideV1 }
        return path.hasPrefix("/v1/workshops/") && path.hasSuffix("/members:import") ? memberImport : standard
    }

    /// The detail of a 413.
    static let exceeded = "the request body exceeds the route's limit (1 MiB under /v1, 4 MiB for a member import, 16 KiB elsewhere)"
}

/// The address a request comes from: the peer's, or, when the peer is a trusted proxy,
/// the last address in `X-Forwarded-For` that is not one (the client as the first
/// trusted proxy saw it; addresses further left could be made up by the client).
enum ClientAddress {
    static func of(peer: String?, forwardedFor: [String], trustedProxies: Set<String>) -> String {
        guard let peer else { return "unknown" }
        guard trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        return hops.last { !$0.isEmpty && !trustedProxies.contains($0) } ?? peer
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}

extension APIError {
    /// 429 with `Retry-After` in whole seconds.
    static func tooManyRequests(wait: Duration, detail: String) -> APIError {
        let seconds = max(Int(wait.seconds.rounded(.up)), 1)
        var problem = APIError(.tooManyRequests, "rate-limited", "\(detail); retry after \(seconds) s")
        problem.headers[.retryAfter] = String(seconds)
        return problem
    }
}
