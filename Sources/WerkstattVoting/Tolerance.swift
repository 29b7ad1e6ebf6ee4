/// Comparison of weighted sums that is blind to floating-point rounding.
///
/// Every score is a sum of at most eight non-negative terms (one per group, in a fixed
/// order), so its rounding error is below 1e-15 relative. Two values within 1e-12 relative
/// are therefore treated as an exact tie: a mathematical tie is never broken by rounding,
/// while distinct weighted results differ by far more in any real round.
public enum Tolerance {
    /// Relative tolerance for "equal".
    public static let relative = 1e-12

    /// Whether two weighted sums are equal up to rounding.
    @inlinable public static func equal(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b))
    }

    /// Whether `a` is greater than `b` beyond rounding.
    @inlinable public static func greater(_ a: Double, _ b: Double) -> Bool {
        a > b && !equal(a, b)
    }

    /// -1, 0 or 1 as `a` is below, equal to or above `b` up to rounding.
    @inlinable public static func compare(_ a: Double, _ b: Double) -> Int {
        if equal(a, b) { return 0 }
        return a > b ? 1 : -1
    }
}
