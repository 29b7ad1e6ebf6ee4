import Crypto
import Foundation
import Hummingbird
import WerkstattRules
import WerkstattStore

extension ExportFormat {
    /// Reads `?format=&lang=&delimiter=`; 422 naming the parameter when a value is unknown.
    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        try self.init(format: query.get("format"), lang: query.get("lang"), delimiter: query.get("delimiter"))
    }
}

/// Who may keep a copy of an export: a member's answer depends on who asks (what a reader
/// of an open round may see), a public report does not.
enum CacheScope {
    case members, everyone

    /// Either way a client asks again each time (`no-cache`), and gets 304 while the export
    /// is the same: a snapshot changes when the worker writes a new one, and only then.
    var cacheControl: String {
        switch self {
        case .members: "private, no-cache"
        case .everyone: "public, no-cache"
        }
    }
}

/// An answer's entity tag (RFC 9110 8.8.3), as sent in `ETag`.
struct EntityTag: Equatable {
    let value: String

    /// Strong: the SHA-256 of the body, so it changes exactly when a byte does.
    init(body: String) {
        value = "\"" + SHA256.hash(data: Data(body.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// Weak: a snapshot's rendering, named by what it is made of instead of hashed. Weak,
    /// because it vouches for the content, not the bytes: another server version may render
    /// the same snapshot a little differently. `If-None-Match` compares weakly anyway.
    init(weak opaque: String) {
        value = "W/\"" + opaque + "\""
    }

    /// Whether an `If-None-Match` list names this tag (weak comparison, RFC 9110 8.8.3.2:
    /// `W/` on either side does not matter).
    func isNamed(in header: String?) -> Bool {
        guard let header else { return false }
        let own = Self.opaque(value)
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || Self.opaque(tag) == own
        }
    }

    private static func opaque(_ tag: String) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : tag[...]
    }
}

extension Exports {
    /// The HTTP answer for an export, tagged with the SHA-256 of its body (a new snapshot,
    /// another k, a progress update change it).
    func response(_ document: ExportDocument, format: ExportFormat, request: Request, scope: CacheScope) -> Response {
        let tag = EntityTag(body: document.body)
        return Self.notModified(tag, request: request, scope: scope)
            ?? Self.response(document, tag: tag, format: format, scope: scope)
    }

    /// The one rule for cached answers, asked before anything is loaded or rendered: 304
    /// with no body when the request's `If-None-Match` names `tag`, else nil.
    static func notModified(_ tag: EntityTag, request: Request, scope: CacheScope) -> Response? {
        guard tag.isNamed(in: request.headers[.ifNoneMatch]) else { return nil }
        return Response(status: .notModified, headers: [.eTag: tag.value, .cacheControl: scope.cacheControl])
    }

    /// 200 with the document; files other than JSON are offered under a file name.
    static func response(_ document: ExportDocument, tag: EntityTag, format: ExportFormat, scope: CacheScope) -> Response {
        var headers: HTTPFields = [.eTag: tag.value, .cacheControl: scope.cacheControl, .contentType: document.contentType]
        if format.kind == .csv || format.kind == .md {
            headers[.contentDisposition] = "inline; filename=\"\(document.fileName)\""
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document.body)))
    }
}
