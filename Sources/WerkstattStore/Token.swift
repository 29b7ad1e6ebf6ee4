import Crypto
import Foundation

/// Bearer tokens: 256 random bits, shown once, stored only as their SHA-256.
public enum Token {
    /// A new random token, URL-safe base64 without padding (43 characters).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URLEncoded
    }

    /// The SHA-256 of the token, which is what the database keeps and looks up.
    public static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }
}
