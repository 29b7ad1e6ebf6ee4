import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// `GET /v1/workshops/{workshop_id}/opinion-map`: the latest opinion map the worker drew,
/// for any member of the workshop (and admins): JSON, Pol.is's CSV files, Markdown or a
/// printable page. Anonymous points and aggregates only.
struct OpinionMapController {
    let exports: Exports
    let access: Access

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("workshops/:workshop_id/opinion-map", use: map)
    }

    @Sendable func map(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workshop = try await context.workshop(access)
        let format = try ExportFormat(request)
        let file = try Self.file(request.uri.queryParameters.get("file"))
        return exports.response(try await exports.opinionMap(of: workshop, format: format, file: file), format: format,
                                request: request, scope: .members)
    }

    /// `?file=participants-votes|comments` picks the CSV file (participants-votes when absent);
    /// the other formats hold both and take no notice of it.
    static func file(_ text: String?) throws -> Exports.OpinionMapFile {
        guard let text else { return .participantsVotes }
        guard let file = Exports.OpinionMapFile(rawValue: text) else {
            throw APIError.invalid([FieldError("file", "must be participants-votes or comments")])
        }
        return file
    }
}
