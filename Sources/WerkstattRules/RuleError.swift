import WerkstattDomain

/// Why a rule of the workshop refused a request. The API turns each case into its
/// problem+json answer (`ProblemMiddleware`), the command line into a message and an exit
/// code (`werkstatt`'s `reportingFailures`): the rule itself knows neither.
public enum RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such resource, or one of another workshop (whose existence is not revealed).
    case notFound(String)
    /// The caller's role does not allow it.
    case forbidden(String)
    /// The workshop's phase does not allow the activity.
    case phase(Phase, forbids: Phase.Activity)
    /// The resource's state does not allow it (a withdrawn thesis, a closed round …).
    case conflict(String)
    /// The input breaks these rules.
    case invalid([FieldError])

    public var description: String {
        switch self {
        case .notFound(let what): "no \(what) with this id"
        case .forbidden(let reason): reason
        case .phase(let phase, let activity):
            "the workshop is in phase '\(phase.rawValue)', which does not allow to \(activity.rawValue)"
        case .conflict(let detail): detail
        case .invalid(let errors): errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        }
    }
}
