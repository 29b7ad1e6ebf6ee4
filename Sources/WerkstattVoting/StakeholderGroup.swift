/// A stakeholder group (Akteursgruppe); the raw values are the API's spelling.
public enum StakeholderGroup: String, Codable, CaseIterable, Sendable, Hashable, Comparable {
    case industry
    case science
    case association
    case union
    case politics
    case administration
    case civilSociety = "civil_society"
    case other

    /// Number of groups; per-group tables are this wide.
    public static let count = 8

    /// Position in declaration order; fixes the order of groups in sums, digests and sorts.
    public var ordinal: Int {
        switch self {
        case .industry: 0
        case .science: 1
        case .association: 2
        case .union: 3
        case .politics: 4
        case .administration: 5
        case .civilSociety: 6
        case .other: 7
        }
    }

    /// The group at a position in declaration order.
    public init?(ordinal: Int) {
        guard ordinal >= 0, ordinal < Self.count else { return nil }
        self = Self.allCases[ordinal]
    }

    /// Declaration order, so that sorted output is the same on every machine.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.ordinal < rhs.ordinal }
}
