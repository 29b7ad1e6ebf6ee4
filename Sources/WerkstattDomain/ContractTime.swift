import Foundation

/// A time as the contract writes it, 2017-03-01T09:00:00.000Z (`JSONEncoder.contractTime`):
/// the text of Foundation's ISO 8601 format style, written from the seconds. The format
/// style builds calendar components and a string per time, a large share of a page of
/// theses (docs/performance.md, issue 14). Tests hold the output to the format style's.
enum ContractTime {
    /// Foundation's text, the rule this writer follows: milliseconds truncated from the
    /// fraction of a second counted from Foundation's epoch (2001), not from 1970.
    static func foundation(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// 1601-01-01 and 10000-01-01 in seconds from 2001: before, Foundation's calendar is
    /// Julian in part (before 1582); from 10000 on, years have five digits. Foundation
    /// writes times outside this span.
    private static let written = -12_622_780_800.0 ..< 252_423_993_600.0

    /// Appends the time's text (without quotes) to `bytes`.
    static func write(_ date: Date, into bytes: inout [UInt8]) {
        let sinceReference = date.timeIntervalSinceReferenceDate
        guard written.contains(sinceReference) else { return bytes.append(contentsOf: foundation(date).utf8) }
        let whole = sinceReference.rounded(.down)
        let milliseconds = Int((sinceReference - whole) * 1_000_000_000) / 1_000_000
        let seconds = Int(whole) + 978_307_200   // since 1970-01-01
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let ofDay = seconds - days * 86_400
        let (year, month, day) = Day.civil(daysSinceEpoch: days)
        append(year, digits: 4, to: &bytes); bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2, to: &bytes); bytes.append(UInt8(ascii: "-"))
        append(day, digits: 2, to: &bytes); bytes.append(UInt8(ascii: "T"))
        append(ofDay / 3_600, digits: 2, to: &bytes); bytes.append(UInt8(ascii: ":"))
        append(ofDay / 60 % 60, digits: 2, to: &bytes); bytes.append(UInt8(ascii: ":"))
        append(ofDay % 60, digits: 2, to: &bytes); bytes.append(UInt8(ascii: "."))
        append(milliseconds, digits: 3, to: &bytes); bytes.append(UInt8(ascii: "Z"))
    }

    /// `value` (not negative) in decimal, zero-padded to `digits`.
    private static func append(_ value: Int, digits: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
