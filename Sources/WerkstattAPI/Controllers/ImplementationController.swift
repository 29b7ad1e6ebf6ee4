import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattStore

/// The implementation list and the moderators' updates to it.
struct ImplementationController {
    let implementation: any ImplementationRepository
    let exports: Exports
    let access: Access

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("workshops/:workshop_id/implementation-list", use: list)
        group.patch("implementation-items/:item_id", use: update)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: caller)
        let format = try ExportFormat(request)
        return exports.response(try await exports.implementationList(of: workshop, for: Access.audience(of: caller), format: format),
                                format: format)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> ImplementationItem {
        let caller = try context.requireCaller()
        let id = try context.id("item_id", of: "implementation item")
        guard let workshopId = try await implementation.workshop(ofItem: id) else {
            throw APIError.notFound("implementation item")
        }
        let workshop = try await access.workshop(owning: workshopId, what: "implementation item", for: caller, need: .moderate)
        let change = try await request.decodeJSON(as: ImplementationChange.self, context: context)
        try Access.require(.implement, in: workshop)
        return try await implementation.update(id, with: change, by: caller)
    }
}

extension ImplementationItem: ResponseCodable {}
extension ImplementationList: ResponseCodable {}
extension ImplementationChange: ValidatedBody {}
