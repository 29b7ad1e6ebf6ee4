import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// The implementation list and the moderators' updates to it.
struct ImplementationController {
    let useCases: UseCases
    let exports: Exports

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("workshops/:workshop_id/implementation-list", use: list)
        group.patch("implementation-items/:item_id", use: update)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let workshop = try await context.workshop(useCases.access)
        let format = try ExportFormat(request)
        return exports.response(try await exports.implementationList(of: workshop, for: Access.audience(of: caller), format: format),
                                format: format)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> ImplementationItem {
        let implementation = useCases.repositories.implementation
        let item = try await context.resolve("item_id", "implementation item", access: useCases.access, need: .moderate,
                                             load: { id in try await implementation.workshop(ofItem: id).map { (id, $0) } },
                                             workshopOf: \.1)
        let change = try await request.decodeJSON(as: ImplementationChange.self, context: context)
        return try await useCases.updateImplementationItem(item.resource.0, in: item.workshop, with: change,
                                                           by: try context.requireCaller())
    }
}

extension ImplementationItem: ResponseCodable {}
extension ImplementationList: ResponseCodable {}
extension ImplementationChange: ValidatedBody {}
