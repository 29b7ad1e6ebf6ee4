import Crypto
import Foundation
import Hummingbird
import WerkstattRules

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

extension Exports {
    /// The HTTP answer for an export; files other than JSON are offered under a file name.
    /// The entity tag is the SHA-256 of the body, so it changes exactly when the export
    /// does (a new snapshot, another k, a progress update); a request whose
    /// `If-None-Match` names it gets 304 and no body.
    func response(_ document: ExportDocument, format: ExportFormat, request: Request, scope: CacheScope) -> Response {
        let tag = "\"" + SHA256.hash(data: Data(document.body.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        var headers: HTTPFields = [.eTag: tag, .cacheControl: scope.cacheControl]
        if Self.matches(request.headers[.ifNoneMatch], tag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = document.contentType
        if format.kind == .csv || format.kind == .md {
            headers[.contentDisposition] = "inline; filename=\"\(document.fileName)\""
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document.body)))
    }

    /// Whether an `If-None-Match` list names the tag (weak comparison, RFC 9110 13.1.2).
    static func matches(_ header: String?, _ tag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            let value = candidate.trimmingCharacters(in: .whitespaces)
            return value == "*" || value == tag || value == "W/" + tag
        }
    }
}
