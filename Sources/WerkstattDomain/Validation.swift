import Foundation

/// Small checks shared by the request types' `violations()`.
enum Check {
    /// A required text: present after trimming and not longer than `max` characters.
    static func text(_ value: String, _ field: String, max: Int, into errors: inout [FieldError]) {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(.init(field, "must not be empty"))
        } else {
            optionalText(value, field, max: max, into: &errors)
        }
    }

    /// An optional text: absent, or not longer than `max` characters and free of NUL,
    /// which PostgreSQL cannot store in text.
    static func optionalText(_ value: String?, _ field: String, max: Int, into errors: inout [FieldError]) {
        guard let value else { return }
        if value.count > max {
            errors.append(.init(field, "must be at most \(max) characters"))
        } else if value.unicodeScalars.contains("\u{0}") {
            errors.append(.init(field, "must not contain the NUL character"))
        }
    }

    /// A calendar date written as `YYYY-MM-DD`.
    static func isDate(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard value.count == 10, parts.count == 3,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4, y >= 1, (1...12).contains(m), d >= 1 else { return false }
        if y >= 1583 {   // Gregorian throughout (Day.start); no Calendar needed
            let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
            return d <= (m == 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].contains(m) ? 30 : 31)
        }
        var components = DateComponents(year: y, month: m)
        components.calendar = Calendar(identifier: .gregorian)
        let days = components.calendar!.range(of: .day, in: .month,
                                               for: components.calendar!.date(from: components)!)!
        return days.contains(d)
    }
}

extension Date {
    /// An RFC 3339 time such as `2016-03-01T09:30:00Z` or `2016-03-01T10:30:00.5+01:00`;
    /// nil for anything else, including times that do not exist (hour 24, 30 February).
    public init?(rfc3339 text: String) {
        let pattern = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/
        guard let match = text.wholeMatch(of: pattern), Check.isDate(String(match.1)),
              let hour = Int(match.2), let minute = Int(match.3), let second = Int(match.4),
              hour < 24, minute < 60, second < 60 else { return nil }
        if let offsetHours = match.7.flatMap({ Int($0) }), let offsetMinutes = match.8.flatMap({ Int($0) }),
           offsetHours > 23 || offsetMinutes > 59 {
            return nil
        }
        let normalised = text.uppercased()
        for style in [Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle()] {
            if let date = try? style.parse(normalised) {
                self = date
                return
            }
        }
        return nil
    }
}

extension JSONDecoder {
    /// A decoder that reads times as RFC 3339 (`Date(rfc3339:)`): request bodies and the
    /// timestamps PostgreSQL writes into jsonb (2017-03-01T09:00:00.123456+00:00).
    public static func rfc3339() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = Date(rfc3339: text) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "must be an RFC 3339 time such as 2017-03-01T09:00:00Z"))
        }
        return decoder
    }
}

extension JSONEncoder {
    /// JSON as the contract wants it: RFC 3339 times in UTC with milliseconds, sorted keys.
    /// The API's responses and every JSON export use it.
    public static func contract() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(contractTime(date))
        }
        return encoder
    }

    /// A time as the contract writes it: 2017-03-01T09:00:00.000Z (ContractTime).
    public static func contractTime(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        ContractTime.write(date, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
