import Foundation

// Werkstatt writes UUIDs in lower case, RFC 9562's canonical form, in every response,
// export and log line; Foundation writes them in upper case. These overloads are more
// specific than the containers' generic `encode`, so every Codable type of this module
// (synthesised or written by hand) picks them; reading accepts any case, as UUID does.

extension UUID {
    /// The UUID as Werkstatt writes it: lower case.
    public var text: String { uuidString.lowercased() }
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
