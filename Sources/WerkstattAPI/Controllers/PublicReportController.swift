import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// `GET /reports/{slug}`: the printable report of a workshop that made it public, for
/// anyone with a browser (Mülheim presents its progress publicly). Aggregates only.
struct PublicReportController {
    let workshops: any WorkshopRepository
    let exports: Exports

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("reports/:slug", use: report)
    }

    @Sendable func report(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let slug = context.parameters.get("slug"),
              let workshop = try await workshops.get(slug: slug), workshop.publicReport else {
            throw APIError.notFound("public report")
        }
        let lang = request.uri.queryParameters.get("lang")
        let format = try ExportFormat(format: "html", lang: lang, delimiter: nil)
        // Public: closed rounds only (Round.showsStanding).
        return exports.response(try await exports.implementationList(of: workshop, for: .public, format: format), format: format,
                                request: request, scope: .everyone)
    }
}
