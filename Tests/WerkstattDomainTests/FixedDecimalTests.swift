import Foundation
import Testing
import WerkstattDomain

@Suite("Numbers with fixed decimals, as String(format:) writes them")
struct FixedDecimalTests {
    /// Values where rounding is delicate: exact halves (binary fractions), values just
    /// beside them, negative zero and negatives that round to zero, subnormals, the edge
    /// of the exact range, and what the reports feed it (coordinates, progress, scores).
    static var delicate: [Double] {
        var values: [Double] = [0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5,
                                0.125, 0.375, 0.0625, 0.0005, 0.0015, 0.0025, 1.0005, 2.0005, 0.9995, 9.95, 99.95,
                                -0.04, -0.0004, -0.05, -0.0005, 1e-300, -1e-300, Double.leastNonzeroMagnitude,
                                Double.leastNormalMagnitude, 4.35, 4.45, 123.456, 999_999_999_999_999.9,
                                1e15 - 0.125, 1e15, -1e15, 1e16, 1e300, .infinity, -.infinity, .nan, 1.0 / 3, 2.0 / 3]
        for base in values where base.isFinite && base.magnitude < 1e14 {
            values.append(base.nextUp)
            values.append(base.nextDown)
        }
        // Every multiple of 1/1024 from -5 to 5: many exact halves at one, two and three decimals.
        for n in -5120...5120 { values.append(Double(n) / 1024) }
        return values
    }

    static func random(count: Int, seed: UInt64) -> [Double] {
        var state = seed
        func next() -> UInt64 {   // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var values: [Double] = []
        for i in 0..<count {
            let unit = Double(next() >> 11) / Double(1 << 53)
            switch i % 4 {
            case 0: values.append(unit * 240)                               // timeline coordinates
            case 1: values.append((unit - 0.5) * 2000)                      // map coordinates, negatives
            case 2: values.append(Double(Int(unit * 100_000)) / 1000 + 0.0005)   // near halves at three decimals
            default: values.append(Double(bitPattern: next()))              // any bit pattern
            }
        }
        return values
    }

    @Test("0 to 3 decimals equal String(format:) on delicate and 400 000 random values", arguments: 0...3)
    func matchesPrintf(decimals: Int) {
        var mismatches: [String] = []
        for value in Self.delicate + Self.random(count: 100_000, seed: UInt64(decimals) + 1) {
            let expected = String(format: "%.\(decimals)f", value)
            let written = FixedDecimal.text(value, decimals: decimals)
            if written != expected { mismatches.append("\(value.bitPattern): \(written) ≠ \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("halves round to even, the sign stays on negative zero")
    func examples() {
        #expect(FixedDecimal.text(0.125, decimals: 2) == "0.12")
        #expect(FixedDecimal.text(0.375, decimals: 2) == "0.38")
        #expect(FixedDecimal.text(2.5, decimals: 0) == "2")
        #expect(FixedDecimal.text(-0.0, decimals: 1) == "-0.0")
        #expect(FixedDecimal.text(-0.01, decimals: 1) == "-0.0")
        #expect(FixedDecimal.text(236.0, decimals: 1) == "236.0")
        #expect(FixedDecimal.text(0.0625, decimals: 3) == "0.062")
        var text = "x="
        FixedDecimal.append(38.05, decimals: 1, to: &text)
        #expect(text == "x=38.0")   // 38.05 is 38.04999… in binary
    }
}
