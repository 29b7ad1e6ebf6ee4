/// The kind of actor a member or organisation speaks for.
public enum StakeholderGroup: String, Codable, CaseIterable, Sendable, Comparable {
    case industry, science, association, union, politics, administration
    case civilSociety = "civil_society"
    case other

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
