import Foundation

/// A number with a fixed count of decimals, exactly as `String(format: "%.Nf")` writes it
/// (N = 0…3): the double's exact binary value rounded half to even, a minus sign on every
/// negative value including -0 and those that round to zero. Without going through
/// `snprintf`, which the reports called hundreds of thousands of times (the progress
/// report's timelines; docs/performance.md). Values of 10¹⁵ and more, infinities and NaN
/// are left to `String(format:)`. Tests hold it to `String(format:)` over many values.
public enum FixedDecimal {
    /// `value` with `decimals` (0…3) decimals.
    public static func text(_ value: Double, decimals: Int) -> String {
        var text = ""
        append(value, decimals: decimals, to: &text)
        return text
    }

    /// Appends `value` with `decimals` (0…3) decimals to `text`.
    public static func append(_ value: Double, decimals: Int, to text: inout String) {
        guard let (negative, scaled) = scaled(value, decimals: decimals) else {
            text += String(format: "%.\(decimals)f", value)
            return
        }
        if negative { text += "-" }
        let scale = powers[decimals]
        text += String(scaled / scale)
        guard decimals > 0 else { return }
        text += "."
        let fraction = String(scaled % scale)
        for _ in fraction.count..<decimals { text += "0" }
        text += fraction
    }

    /// Whether `value` is negative (its sign bit), and its magnitude times 10^decimals
    /// rounded half to even; nil when `value` is not finite or too large to scale exactly.
    public static func scaled(_ value: Double, decimals: Int) -> (negative: Bool, magnitude: UInt64)? {
        precondition((0...3).contains(decimals), "FixedDecimal writes 0 to 3 decimals")
        let magnitude = value.magnitude
        guard magnitude < 1e15 else { return nil }   // also NaN and infinity
        // magnitude = significand · 2^-shift exactly. Below 2^50 the exponent is negative,
        // and significand · 1000 < 2^63 fits.
        let significand: UInt64
        let shift: Int
        if magnitude.exponentBitPattern == 0 {
            significand = magnitude.significandBitPattern
            shift = 1074
        } else {
            significand = magnitude.significandBitPattern | (1 << 52)
            shift = 1075 - Int(magnitude.exponentBitPattern)
        }
        let product = significand * powers[decimals]
        // product < 2^63 <= 2^(shift-1): below half of one unit, so it rounds to 0.
        guard shift < 64 else { return (value.sign == .minus, 0) }
        var quotient = product >> UInt64(shift)
        let remainder = product & ((1 << UInt64(shift)) - 1)
        let half: UInt64 = 1 << UInt64(shift - 1)
        if remainder > half || (remainder == half && quotient & 1 == 1) { quotient += 1 }
        return (value.sign == .minus, quotient)
    }

    private static let powers: [UInt64] = [1, 10, 100, 1000]
}
