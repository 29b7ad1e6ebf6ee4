import Foundation
import WerkstattDomain
import WerkstattStore

/// The workshop's use cases: each checks who may do it (`Access.require(_:of:)`) and in
/// which phase (`Access.require(_:in:)`), then writes through the store. The API, the
/// command line and the demo all call these, so none of them checks a rule on its own.
///
/// A use case takes the workshop it acts in: the API has already resolved it for the
/// caller (404 for another workshop's ids, 403 before a body is read), the command line
/// found it by slug, the demo created it.
public struct UseCases: Sendable {
    public let repositories: Repositories
    public let access: Access

    public init(repositories: Repositories) {
        self.repositories = repositories
        self.access = Access(workshops: repositories.workshops)
    }
}
