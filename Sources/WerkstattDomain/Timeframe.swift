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

extension Timeframe {
    /// Reads a timeframe as people write it, in German or English: "2017", "bis 2018",
    /// "by 2018", "ab 2017", "from 2017", "fortlaufend", "ongoing", "2017–2020".
    public init?(text: String) {
        let words = text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
            .split(whereSeparator: { $0 == " " || $0 == "\u{00A0}" }).map(String.init)
        func year(_ word: String) -> Int? {
            guard word.count == 4, let value = Int(word), Self.years.contains(value) else { return nil }
            return value
        }
        switch words.count {
        case 1:
            let word = words[0]
            if ["fortlaufend", "laufend", "ongoing", "continuous"].contains(word) { self.init(kind: .ongoing); return }
            if let y = year(word) { self.init(kind: .in, year: y); return }
            let parts = word.split(whereSeparator: { $0 == "–" || $0 == "-" || $0 == "—" }).map(String.init)
            if parts.count == 2, let from = year(parts[0]), let to = year(parts[1]), to > from {
                self.init(kind: .range, year: from, toYear: to); return
            }
        case 2:
            guard let y = year(words[1]) else { return nil }
            switch words[0] {
            case "bis", "by", "until": self.init(kind: .by, year: y); return
            case "ab", "seit", "from", "since": self.init(kind: .from, year: y); return
            case "in", "im": self.init(kind: .in, year: y); return
            default: return nil
            }
        case 3:
            if let from = year(words[0]), ["–", "-", "—", "bis", "to"].contains(words[1]), let to = year(words[2]), to > from {
                self.init(kind: .range, year: from, toYear: to); return
            }
        default:
            break
        }
        return nil
    }
}
