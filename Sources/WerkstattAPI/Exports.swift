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

extension Exports {
    /// The HTTP answer for an export; files other than JSON are offered under a file name.
    func response(_ document: ExportDocument, format: ExportFormat) -> Response {
        var headers: HTTPFields = [.contentType: document.contentType]
        if format.kind == .csv || format.kind == .md {
            headers[.contentDisposition] = "inline; filename=\"\(document.fileName)\""
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document.body)))
    }
}
