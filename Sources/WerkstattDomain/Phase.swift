/// The life of a workshop: draft → collecting → discussing → voting → implementing → closed.
public enum Phase: String, Codable, CaseIterable, Sendable {
    case draft, collecting, discussing, voting, implementing, closed

    /// Something a member asks to do, gated by the phase (domain.md, "Life of a workshop").
    public enum Activity: String, Sendable {
        case setUp = "set up the workshop"
        case bringInThesis = "bring in theses"
        case takeStance = "take stances"
        case comment = "comment"
        case editRecommendations = "add recommendations"
        case vote = "open rounds and vote"
        case implement = "change implementation items"
        case curate = "withdraw theses and hide comments"
    }

    /// Whether the phase accepts the activity.
    public func allows(_ activity: Activity) -> Bool {
        switch activity {
        case .setUp: return self != .closed
        case .bringInThesis: return self == .collecting || self == .discussing
        case .takeStance: return [.collecting, .discussing, .voting].contains(self)
        case .comment: return [.collecting, .discussing, .voting, .implementing].contains(self)
        case .editRecommendations: return [.draft, .collecting, .discussing, .voting].contains(self)
        case .vote: return self == .voting
        case .implement: return self == .voting || self == .implementing
        case .curate: return self != .closed
        }
    }

    private var order: Int { Self.allCases.firstIndex(of: self)! }

    /// A moderator moves the phase forward, or back exactly one step to correct a mistake.
    public func mayMove(to next: Phase) -> Bool {
        next.order > order || next.order == order - 1
    }
}
