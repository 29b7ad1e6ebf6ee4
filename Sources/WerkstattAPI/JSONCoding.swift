import Foundation
import Hummingbird
import WerkstattDomain

/// JSON as the contract wants it (`JSONEncoder.contract()`, `JSONDecoder.rfc3339()`).
enum JSONCoding {
    static func encoder() -> JSONEncoder { .contract() }
    static func decoder() -> JSONDecoder { .rfc3339() }
}

/// An answer already written as the contract's JSON (JSONText: the workshop, the thesis page), sent with
/// the headers Hummingbird gives the encoder's answers.
struct WrittenJSON: ResponseGenerator {
    var json: JSONText

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let bytes = json.bytes
        return Response(status: .ok,
                        headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(bytes.count)],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// A request body type that can say which of its fields break a rule.
protocol ValidatedBody: Decodable {
    func violations() -> [FieldError]
}

extension NewWorkshop: ValidatedBody {}
extension WorkshopChange: ValidatedBody {}
extension MemberChange: ValidatedBody {}
extension OrganisationChange: ValidatedBody {}
extension NewOrganisation: ValidatedBody {}
extension NewMember: ValidatedBody {}
extension NewWorkingGroup: ValidatedBody {}
extension NewEvent: ValidatedBody {}
extension NewThesis: ValidatedBody {}
extension NewComment: ValidatedBody {}
extension HideComment: ValidatedBody {}
extension WithdrawThesis: ValidatedBody {}
extension NewRecommendation: ValidatedBody {}
extension PhaseChange: ValidatedBody { func violations() -> [FieldError] { [] } }
extension StanceChange: ValidatedBody { func violations() -> [FieldError] { [] } }

extension Request {
    /// Reads a JSON body (415 for another content type, 413 above the limit) and checks
    /// its rules (422 with every broken rule).
    func decodeJSON<Body: ValidatedBody>(as type: Body.Type, context: AppRequestContext) async throws -> Body {
        let mediaType = headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" || (mediaType?.hasSuffix("+json") ?? false) else {
            throw APIError(.unsupportedMediaType, "unsupported-media-type",
                           "send the body as 'Content-Type: application/json'")
        }
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let body: Body
        do {
            body = try JSONCoding.decoder().decode(Body.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.invalid([Self.fieldError(error)])
        } catch {
            throw APIError.invalid([FieldError("", "the body is not valid JSON")])
        }
        let violations = body.violations()
        guard violations.isEmpty else { throw APIError.invalid(violations) }
        return body
    }

    /// Reads a text body of one of the given media types as UTF-8 (415 for another type,
    /// 413 above the limit, 422 for bytes that are not UTF-8).
    func text(ofType mediaTypes: Set<String>, context: AppRequestContext) async throws -> String {
        let mediaType = headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard let mediaType, mediaTypes.contains(mediaType) else {
            throw APIError(.unsupportedMediaType, "unsupported-media-type",
                           "send the body as 'Content-Type: \(mediaTypes.sorted().first ?? "")'")
        }
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard let text = String(validating: Data(buffer: buffer), as: UTF8.self) else {
            throw APIError.invalid([FieldError("", "the body is not valid UTF-8")])
        }
        return text
    }

    private static func fieldError(_ error: DecodingError) -> FieldError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return FieldError(path(context.codingPath + [key]), "is required")
        case .typeMismatch(let type, let context):
            return FieldError(path(context.codingPath), "must be of type \(typeName(type))")
        case .valueNotFound(let type, let context):
            return FieldError(path(context.codingPath), "must be a \(typeName(type)), not null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return FieldError("", "the body is not valid JSON") }
            return FieldError(path(context.codingPath), Self.corruptionMessage(context))
        @unknown default:
            return FieldError("", "the body could not be read")
        }
    }

    private static func corruptionMessage(_ context: DecodingError.Context) -> String {
        let text = context.debugDescription
        if text.contains("Cannot initialize") || text.contains("enum") {
            return "is not one of the allowed values"
        }
        if text.contains("UUID") { return "must be a UUID" }
        return text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Int.Type, is Int32.Type, is Int64.Type: "integer"
        case is Double.Type: "number"
        case is Bool.Type: "boolean"
        case is [Any].Type: "array"
        default: "object"
        }
    }
}

extension AppRequestContext {
    /// Encodes responses with `JSONCoding.encoder()`.
    public var responseEncoder: JSONEncoder { JSONCoding.encoder() }
}
