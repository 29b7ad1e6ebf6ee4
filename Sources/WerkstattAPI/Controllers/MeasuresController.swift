import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// Measures (Maßnahmen) of an implementation item, at any depth: read by members, written
/// by moderators while the workshop's phase allows implementation changes.
struct MeasuresController {
    let useCases: UseCases

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("implementation-items/:item_id/measures", use: list)
        group.post("implementation-items/:item_id/measures", use: create)
        group.get("implementation-items/:item_id/measures/:measure_id", use: get)
        group.patch("implementation-items/:item_id/measures/:measure_id", use: update)
        group.delete("implementation-items/:item_id/measures/:measure_id", use: archive)
        group.post("implementation-items/:item_id/measures/:measure_id/move", use: move)
    }

    /// The item's measures as trees.
    struct Measures: ResponseEncodable {
        var itemId: UUID
        var measures: [Measure]
        enum CodingKeys: String, CodingKey {
            case measures
            case itemId = "item_id"
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(itemId.text, forKey: .itemId)
            try c.encode(measures, forKey: .measures)
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Measures {
        let item = try await resolveItem(context)
        let records = try await useCases.repositories.measures.records(ofItem: item.resource)
        return Measures(itemId: item.resource, measures: MeasureTree.build(item: item.resource, records: records))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Measure> {
        let item = try await resolveItem(context, need: .moderate)
        let new = try await request.decodeJSON(as: NewMeasure.self, context: context)
        return .init(status: .created, response: try await useCases.createMeasure(new, in: item.resource, of: item.workshop,
                                                                                  by: try context.requireCaller()))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Measure {
        let measure = try await resolveMeasure(context)
        return try await useCases.measure(measure.resource.id, of: measure.resource.itemId)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Measure {
        let measure = try await resolveMeasure(context, need: .moderate)
        let change = try await request.decodeJSON(as: MeasureChange.self, context: context)
        return try await useCases.updateMeasure(measure.resource, in: measure.workshop, with: change,
                                                by: try context.requireCaller())
    }

    @Sendable func move(_ request: Request, context: AppRequestContext) async throws -> Measure {
        let measure = try await resolveMeasure(context, need: .moderate)
        let move = try await request.decodeJSON(as: MeasureMove.self, context: context)
        return try await useCases.moveMeasure(measure.resource, to: move.parentId, in: measure.workshop,
                                              by: try context.requireCaller())
    }

    @Sendable func archive(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let measure = try await resolveMeasure(context, need: .moderate)
        try await useCases.archiveMeasure(measure.resource, in: measure.workshop, by: try context.requireCaller())
        return .noContent
    }

    private func resolveItem(_ context: AppRequestContext, need: Access.Need = .read) async throws -> Resolved<UUID> {
        let implementation = useCases.repositories.implementation
        return try await context.resolve("item_id", "implementation item", access: useCases.access, need: need,
                                         load: { id in try await implementation.workshop(ofItem: id).map { (id, $0) } },
                                         workshopOf: \.1).map(\.0)
    }

    /// The live measure of the path, which must belong to the path's item (404 otherwise).
    private func resolveMeasure(_ context: AppRequestContext, need: Access.Need = .read) async throws -> Resolved<MeasureRef> {
        let item = try context.id("item_id", of: "implementation item")
        let measures = useCases.repositories.measures
        return try await context.resolve("measure_id", "measure", access: useCases.access, need: need,
                                         load: { id in try await measures.get(id).flatMap { $0.itemId == item ? $0 : nil } },
                                         workshopOf: \.workshopId)
    }
}

extension Measure: ResponseCodable {}
extension NewMeasure: ValidatedBody {}
extension MeasureChange: ValidatedBody {}
extension MeasureMove: ValidatedBody {}
