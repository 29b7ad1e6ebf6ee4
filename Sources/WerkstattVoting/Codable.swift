// JSON shapes for storing snapshots and for the API layer. Balance uses the API's own
// shape ("proportional" | "equal" | {"custom": {group: share}}); results (RoundResult.swift)
// use the API's field names (snake_case, rank_interval as [lo, hi]).

/// Groups as JSON object keys ("civil_society": …) rather than arrays of pairs.
extension StakeholderGroup: CodingKeyRepresentable {}

extension Balance: Codable {
    private struct Custom: Codable {
        var custom: [String: Double]
    }

    /// Decodes "proportional", "equal" or {"custom": {group: share}}; the messages name
    /// what is wrong, because the API shows them to the moderator who sent the balance.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let name = try? container.decode(String.self) {
            switch name {
            case "proportional": self = .proportional
            case "equal": self = .equal
            default:
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be \"proportional\", \"equal\" or {\"custom\": {group: share}}")
            }
            return
        }
        var shares: [StakeholderGroup: Double] = [:]
        for (key, share) in try container.decode(Custom.self).custom {
            guard let group = StakeholderGroup(rawValue: key) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown stakeholder group '\(key)'")
            }
            shares[group] = share
        }
        self = .custom(shares)
    }

    /// Encodes in the same shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .proportional: try container.encode("proportional")
        case .equal: try container.encode("equal")
        case .custom(let shares):
            try container.encode(Custom(custom: Dictionary(uniqueKeysWithValues: shares.map { ($0.key.rawValue, $0.value) })))
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
    /// like; a dot round without its numbers gets the defaults of `Method.init`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(try c.decode(Method.Kind.self, forKey: .method),
                  pointsPerMember: try c.decodeIfPresent(Int.self, forKey: .pointsPerMember),
                  maxPointsPerItem: try c.decodeIfPresent(Int.self, forKey: .maxPointsPerItem))
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
