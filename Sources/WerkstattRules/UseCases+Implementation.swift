import Foundation
import WerkstattDomain
import WerkstattStore

/// The implementation list: moderators report status, progress, milestones and notes, on
/// items and on their measures at any depth. Every change is kept in the history.
///
/// `at` dates a change in the past: the demo writes its 2017–2019 history through these
/// use cases. The API never passes it (changes are dated by the server's clock); a time
/// in the future is refused, and so is one before the entity's latest recorded change.
extension UseCases {
    public func updateImplementationItem(_ id: UUID, in workshop: Workshop, with change: ImplementationChange,
                                         by caller: Caller, at: Date? = nil) async throws -> ImplementationItem {
        try Self.requireImplementing(workshop, by: caller, at: at)
        return try await repositories.implementation.update(id, with: change, by: caller, at: at)
    }

    /// Adds a measure to an item, at the top or under `parent_id`; answers the measure.
    public func createMeasure(_ new: NewMeasure, in item: UUID, of workshop: Workshop, by caller: Caller,
                              at: Date? = nil) async throws -> Measure {
        try Self.requireImplementing(workshop, by: caller, at: at)
        try Self.requireValid(new.violations())
        let id = try await repositories.measures.create(new, in: item, by: caller, at: at)
        return try await measure(id, of: item)
    }

    public func updateMeasure(_ measure: MeasureRef, in workshop: Workshop, with change: MeasureChange, by caller: Caller,
                              at: Date? = nil) async throws -> Measure {
        try Self.requireImplementing(workshop, by: caller, at: at)
        try Self.requireValid(change.violations())
        try await repositories.measures.update(measure.id, with: change, by: caller, at: at)
        return try await self.measure(measure.id, of: measure.itemId)
    }

    /// Hangs a measure under another measure of the same item (or the item itself); 422 for
    /// a cycle or a parent that is no measure of the item.
    public func moveMeasure(_ measure: MeasureRef, to parent: UUID?, in workshop: Workshop, by caller: Caller,
                            at: Date? = nil) async throws -> Measure {
        try Self.requireImplementing(workshop, by: caller, at: at)
        try await repositories.measures.move(measure.id, to: parent, by: caller, at: at)
        return try await self.measure(measure.id, of: measure.itemId)
    }

    /// Archives a measure and its sub-measures: gone from the list, kept in the history.
    public func archiveMeasure(_ measure: MeasureRef, in workshop: Workshop, by caller: Caller, at: Date? = nil) async throws {
        try Self.requireImplementing(workshop, by: caller, at: at)
        try await repositories.measures.archive(measure.id, by: caller, at: at)
    }

    /// A live measure with its sub-measures rolled up.
    public func measure(_ id: UUID, of item: UUID) async throws -> Measure {
        let records = try await repositories.measures.records(ofItem: item)
        guard let measure = MeasureTree.build(item: item, records: records).flatMap(\.flattened).first(where: { $0.id == id }) else {
            throw RuleError.notFound("measure")
        }
        return measure
    }

    /// Moderators change the list while the workshop's phase allows it; a past date only
    /// from the command line (the demo), never one in the future.
    static func requireImplementing(_ workshop: Workshop, by caller: Caller, at: Date?) throws(RuleError) {
        try Access.require(.moderate, of: caller)
        try Access.require(.implement, in: workshop)
        if let at, at > Date() { throw .invalid([FieldError("at", "must not be in the future")]) }
    }

    static func requireValid(_ errors: [FieldError]) throws(RuleError) {
        guard errors.isEmpty else { throw .invalid(errors) }
    }
}
