import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// The implementation list (now, as of a day, overdue, or a period's progress report), the
/// moderators' updates to its items, an item's history and its lineage.
struct ImplementationController {
    let useCases: UseCases
    let exports: Exports

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("workshops/:workshop_id/implementation-list", use: list)
        group.patch("implementation-items/:item_id", use: update)
        group.get("implementation-items/:item_id/history", use: history)
        group.get("implementation-items/:item_id/lineage", use: lineage)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let workshop = try await context.workshop(useCases.access)
        let format = try ExportFormat(request)
        let query = request.uri.queryParameters
        let mode = try ListQuery(asOf: query.get("as_of"), overdue: query.get("overdue"), from: query.get("from"),
                                 to: query.get("to"), format: format.kind).mode
        let audience = Access.audience(of: caller)
        switch mode {
        case .list(let asOf):
            return exports.response(try await exports.implementationList(of: workshop, for: audience, asOf: asOf, format: format),
                                    format: format, request: request, scope: .members)
        case .overdue(let day):
            let overdue = try await exports.overdue(of: workshop, on: day, for: audience)
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encoder().encode(overdue))))
        case .progress(let from, let to):
            return exports.response(try await exports.progressReport(of: workshop, from: from, to: to, for: audience,
                                                                     format: format), format: format, request: request, scope: .members)
        }
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> ImplementationItem {
        let item = try await resolveItem(context, need: .moderate)
        let change = try await request.decodeJSON(as: ImplementationChange.self, context: context)
        return try await useCases.updateImplementationItem(item.resource, in: item.workshop, with: change,
                                                           by: try context.requireCaller())
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> Page<HistoryEntry> {
        let item = try await resolveItem(context)
        return try await useCases.repositories.implementation.history(of: item.resource, page: try request.pageRequest)
    }

    @Sendable func lineage(_ request: Request, context: AppRequestContext) async throws -> Lineage {
        let resolved = try await resolveItem(context)
        let audience = Access.audience(of: try context.requireCaller())
        let list = try await useCases.repositories.implementation.list(of: resolved.workshop.id, for: audience)
        guard let item = list.items.first(where: { $0.id == resolved.resource }) else {
            throw APIError.notFound("implementation item")
        }
        return try await exports.lineage(of: item, in: resolved.workshop, for: audience)
    }

    /// The item of the path, with its workshop, if the caller may see it (Access.resolve).
    private func resolveItem(_ context: AppRequestContext, need: Access.Need = .read) async throws -> Resolved<UUID> {
        let implementation = useCases.repositories.implementation
        return try await context.resolve("item_id", "implementation item", access: useCases.access, need: need,
                                         load: { id in try await implementation.workshop(ofItem: id).map { (id, $0) } },
                                         workshopOf: \.1).map(\.0)
    }
}

extension ImplementationItem: ResponseCodable {}
extension ImplementationList: ResponseCodable {}
extension ImplementationChange: ValidatedBody {}
extension HistoryEntry: ResponseCodable {}
extension Lineage: ResponseCodable {}
extension OverdueList: ResponseCodable {}
