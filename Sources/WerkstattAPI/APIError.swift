import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules

/// Every error a client can see, rendered as RFC 9457 problem+json.
public struct APIError: HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// Last part of the problem type URI, e.g. "validation".
    public var kind: String
    public var detail: String
    public var errors: [FieldError]
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ kind: String, _ detail: String, errors: [FieldError] = []) {
        self.status = status
        self.kind = kind
        self.detail = detail
        self.errors = errors
    }

    static let unauthorized = APIError(.unauthorized, "unauthorized",
                                       "send a valid token as 'Authorization: Bearer <token>'")
    static func forbidden(_ detail: String) -> APIError { .init(.forbidden, "forbidden", detail) }
    static func notFound(_ what: String) -> APIError { .init(.notFound, "not-found", "no \(what) with this id") }
    static func conflict(_ detail: String) -> APIError { .init(.conflict, "conflict", detail) }
    static func unavailable(_ detail: String) -> APIError { .init(.serviceUnavailable, "unavailable", detail) }
    static func invalid(_ errors: [FieldError]) -> APIError {
        .init(.unprocessableContent, "validation", "the request breaks \(errors.count) rule(s), see 'errors'",
              errors: errors)
    }
    static func phase(_ phase: Phase, forbids activity: Phase.Activity) -> APIError {
        .init(.conflict, "phase", RuleError.phase(phase, forbids: activity).description)
    }

    /// The problem+json document.
    struct Problem: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var errors: [FieldError]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let problem = Problem(type: "https://werkstatt.dev/problems/\(kind)",
                              title: status.reasonPhrase, status: status.code, detail: detail,
                              errors: errors.isEmpty ? nil : errors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(problem))))
    }
}
