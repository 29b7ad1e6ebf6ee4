import Foundation

/// A change to what tokens allow, as sql/014 announces it on `channel` once the changing
/// transaction has committed: revocation, rotation, expiry, role, stakeholder group,
/// removal, a workshop closing.
public enum CallerChange: Sendable, Equatable {
    /// The caller of the token with this SHA-256 changed or is gone.
    case token(hash: Data)
    /// The callers of many tokens changed at once.
    case all

    /// The channel the triggers notify.
    public static let channel = "werkstatt_caller_changes"

    /// The change a notification's payload names; a payload it cannot read counts as
    /// `.all`, so that a mistake can only cost cache hits.
    public init(payload: String) {
        guard payload.utf8.count == 64, let hash = Data(hex: payload) else {
            self = .all
            return
        }
        self = .token(hash: hash)
    }
}

extension Data {
    /// The bytes of a hex text (either case); nil when it is not one.
    init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.init(bytes)
    }
}
