import Foundation
import WerkstattDomain
import WerkstattStore

/// The implementation list: moderators report status, progress and notes.
extension UseCases {
    public func updateImplementationItem(_ id: UUID, in workshop: Workshop, with change: ImplementationChange,
                                         by caller: Caller) async throws -> ImplementationItem {
        try Access.require(.moderate, of: caller)
        try Access.require(.implement, in: workshop)
        return try await repositories.implementation.update(id, with: change, by: caller)
    }
}
