import Foundation

// Werkstatt writes UUIDs in lower case, RFC 9562's canonical form, in every response,
// export and log line; Foundation writes them in upper case. These overloads are more
// specific than the containers' generic `encode`, so every Codable type of this module
// (synthesised or written by hand) picks them; reading accepts any case, as UUID does.

extension UUID {
    /// The UUID as Werkstatt writes it: lower case. Written from the bytes: `uuidString`
    /// goes through snprintf, a large share of encoding a list with thousands of measures.
    public var text: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var index = 0
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        buffer[index] = UInt8(ascii: "-"); index += 1
                    }
                    buffer[index] = Self.hexDigits[Int(byte >> 4)]
                    buffer[index + 1] = Self.hexDigits[Int(byte & 0x0f)]
                    index += 2
                }
                return index
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

extension KeyedEncodingContainer {
    public mutating func encode(_ value: UUID, forKey key: Key) throws {
        try encode(value.text, forKey: key)
    }

    public mutating func encodeIfPresent(_ value: UUID?, forKey key: Key) throws {
        try encodeIfPresent(value?.text, forKey: key)
    }

    public mutating func encode(_ value: UUID?, forKey key: Key) throws {
        try encode(value?.text, forKey: key)
    }

    public mutating func encode(_ value: [UUID], forKey key: Key) throws {
        try encode(value.map(\.text), forKey: key)
    }

    public mutating func encodeIfPresent(_ value: [UUID]?, forKey key: Key) throws {
        try encodeIfPresent(value?.map(\.text), forKey: key)
    }
}
