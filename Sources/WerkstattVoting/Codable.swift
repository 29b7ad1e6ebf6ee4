// JSON shapes for storing snapshots and for the API layer. Balance uses the API's own
// shape ("proportional" | "equal" | {"custom": {group: share}}); results (RoundResult.swift)
// use the API's field names (snake_case, rank_interval as [lo, hi]).

/// Groups as JSON object keys ("civil_society": …) rather than arrays of pairs.
extension StakeholderGroup: CodingKeyRepresentable {}

extension Balance: Codable {
    private enum Keys: String, CodingKey { case custom }

    /// Decodes "proportional", "equal" or {"custom": {group: share}}.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            switch name {
            case "proportional": self = .proportional
            case "equal": self = .equal
            default:
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "balance is proportional, equal or {\"custom\": …}")
            }
            return
        }
        let keyed = try decoder.container(keyedBy: Keys.self)
        self = .custom(try keyed.decode([StakeholderGroup: Double].self, forKey: .custom))
    }

    /// Encodes in the API's shape.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .proportional:
            var c = encoder.singleValueContainer()
            try c.encode("proportional")
        case .equal:
            var c = encoder.singleValueContainer()
            try c.encode("equal")
        case .custom(let shares):
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(shares, forKey: .custom)
        }
    }
}

extension Method: Codable {
    private enum Keys: String, CodingKey {
        case method
        case pointsPerMember = "points_per_member"
        case maxPointsPerItem = "max_points_per_item"
    }

    /// Decodes {"method": "dot", "points_per_member": 5, "max_points_per_item": 3} and the
    /// like; dot defaults are 5 points and the whole budget per item, as in the domain.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        switch try c.decode(Method.Kind.self, forKey: .method) {
        case .dot:
            let points = try c.decodeIfPresent(Int.self, forKey: .pointsPerMember) ?? 5
            self = .dot(pointsPerMember: points, maxPointsPerItem: try c.decodeIfPresent(Int.self, forKey: .maxPointsPerItem) ?? points)
        case .approval: self = .approval
        case .score: self = .score
        case .ranking: self = .ranking
        }
    }

    /// Encodes the kind and, for dot, its two numbers.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(kind, forKey: .method)
        if case .dot(let points, let maxPerItem) = self {
            try c.encode(points, forKey: .pointsPerMember)
            try c.encode(maxPerItem, forKey: .maxPointsPerItem)
        }
    }
}

extension RankInterval {
    /// Encoded as [lo, hi], as in the API.
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        lo = try c.decode(Int.self)
        hi = try c.decode(Int.self)
    }

    /// Encodes as [lo, hi].
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(lo)
        try c.encode(hi)
    }
}
