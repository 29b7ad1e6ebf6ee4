/// A member's role inside one workshop. Admins are not members: they hold installation tokens.
public enum Role: String, Codable, CaseIterable, Sendable {
    case participant, moderator, observer

    /// Whether this role may write (bring in theses, take stances, comment, vote).
    public var mayContribute: Bool { self != .observer }
    /// Whether this role may moderate (set up, move phases, hide comments).
    public var mayModerate: Bool { self == .moderator }
}
