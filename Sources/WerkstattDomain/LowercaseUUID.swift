import Foundation

// Werkstatt writes UUIDs in lower case, RFC 9562's canonical form, in every response,
// export and log line; Foundation writes them in upper case. These overloads are more
// specific than the containers' generic `encode`, so every Codable type of this module
// (synthesised or written by hand) picks them; reading accepts any case, as UUID does.

extension UUID {
    /// The UUID as Werkstatt writes it: lower case. Written from the bytes: `uuidString`
    /// goes through snprintf, a large share of encoding a list with thousands of measures.
    public var text: String {
        String(unsafeUninitializedCapacity: 36) { write(into: $0) }
    }

    /// Whether `self` comes before `other` in the order of their text: the bytes compare
    /// as their lower-case hex does (digits before letters, dashes in the same places), so
    /// no text is written to sort by id.
    public func precedes(_ other: UUID) -> Bool {
        withUnsafeBytes(of: uuid) { mine in
            withUnsafeBytes(of: other.uuid) { theirs in mine.lexicographicallyPrecedes(theirs) }
        }
    }

    /// Appends the text to `bytes`, with no String between (JSONText).
    func append(to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 36))
        bytes.withUnsafeMutableBufferPointer { _ = write(into: UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    }

    /// Writes the 36 bytes of the text at the start of `buffer`; returns 36.
    private func write(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid) { bytes in
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
