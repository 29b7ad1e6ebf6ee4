import Crypto
import Foundation

/// Bearer tokens: 256 random bits, shown once, stored only as their SHA-256.
public enum Token {
    /// A new random token, URL-safe base64 without padding (43 characters). It never
    /// starts with `-` or `_`: a leading `-` makes a spreadsheet (and the CSV export's
    /// formula guard) treat the cell as a formula, and a mail merge would send a broken token.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let token = Data(bytes).base64URLEncoded
            if let first = token.first, first.isLetter || first.isNumber { return token }
        }
    }

    /// The SHA-256 of the token, which is what the database keeps and looks up.
    public static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    /// The hash in hex, for statements that pass many of them as text (`decode(…, 'hex')`).
    static func hashHex(_ token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in hash(token) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
