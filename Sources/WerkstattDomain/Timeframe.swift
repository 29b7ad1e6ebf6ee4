/// When a recommendation is to be implemented: in, by or from a year, ongoing, or a range.
public struct Timeframe: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case `in`, by, from, ongoing, range
    }

    public var kind: Kind
    public var year: Int?
    public var toYear: Int?

    public init(kind: Kind, year: Int? = nil, toYear: Int? = nil) {
        self.kind = kind
        self.year = year
        self.toYear = toYear
    }

    enum CodingKeys: String, CodingKey {
        case kind, year
        case toYear = "to_year"
    }

    static let years = 1900...2200

    /// Rule violations, each naming the field under `prefix` that breaks it.
    public func violations(prefix: String = "timeframe") -> [FieldError] {
        var errors: [FieldError] = []
        switch kind {
        case .ongoing:
            if year != nil { errors.append(.init("\(prefix).year", "must be absent for an ongoing timeframe")) }
            if toYear != nil { errors.append(.init("\(prefix).to_year", "must be absent for an ongoing timeframe")) }
        case .in, .by, .from:
            if let year, !Self.years.contains(year) {
                errors.append(.init("\(prefix).year", "must be between 1900 and 2200"))
            } else if year == nil {
                errors.append(.init("\(prefix).year", "is required for kind '\(kind.rawValue)'"))
            }
            if toYear != nil { errors.append(.init("\(prefix).to_year", "is only allowed for kind 'range'")) }
        case .range:
            guard let year, Self.years.contains(year) else {
                errors.append(.init("\(prefix).year", "is required for a range, between 1900 and 2200"))
                return errors
            }
            if let toYear, Self.years.contains(toYear) {
                if toYear <= year { errors.append(.init("\(prefix).to_year", "must be after year")) }
            } else {
                errors.append(.init("\(prefix).to_year", "is required for a range, between 1900 and 2200"))
            }
        }
        return errors
    }

    /// The timeframe as people write it: "bis 2018" / "by 2018", "fortlaufend" / "ongoing".
    public func text(german: Bool = false) -> String {
        let y = year.map(String.init) ?? ""
        switch kind {
        case .in: return y
        case .by: return german ? "bis \(y)" : "by \(y)"
        case .from: return german ? "ab \(y)" : "from \(y)"
        case .ongoing: return german ? "fortlaufend" : "ongoing"
        case .range: return "\(y)–\(toYear.map(String.init) ?? "")"
        }
    }
}
