import Foundation

/// Small checks shared by the request types' `violations()`.
enum Check {
    /// A required text: present after trimming and not longer than `max` characters.
    static func text(_ value: String, _ field: String, max: Int, into errors: inout [FieldError]) {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(.init(field, "must not be empty"))
        } else if value.count > max {
            errors.append(.init(field, "must be at most \(max) characters"))
        }
    }

    /// An optional text: absent, or not longer than `max` characters.
    static func optionalText(_ value: String?, _ field: String, max: Int, into errors: inout [FieldError]) {
        if let value, value.count > max {
            errors.append(.init(field, "must be at most \(max) characters"))
        }
    }

    /// A calendar date written as `YYYY-MM-DD`.
    static func isDate(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard value.count == 10, parts.count == 3,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4, (1...12).contains(m), d >= 1 else { return false }
        var components = DateComponents(year: y, month: m)
        components.calendar = Calendar(identifier: .gregorian)
        let days = components.calendar!.range(of: .day, in: .month,
                                               for: components.calendar!.date(from: components)!)!
        return days.contains(d)
    }
}

extension Date {
    /// An RFC 3339 time, with or without fractional seconds; nil for anything else.
    public init?(rfc3339 text: String) {
        for style in [Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle()] {
            if let date = try? style.parse(text) {
                self = date
                return
            }
        }
        return nil
    }
}
