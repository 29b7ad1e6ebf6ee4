/// A stored value that no case of its type has: the schema and the code disagree, and
/// that must be an error, never a quiet default (an unknown role read as `observer`).
public struct UnknownStoredValue: Error, CustomStringConvertible {
    public var type: String
    public var value: String
    public var description: String { "the database holds '\(value)', which is no \(type)" }
}

extension RawRepresentable where RawValue == String {
    /// The case stored as `raw`, or `UnknownStoredValue`.
    public init(decoding raw: String) throws {
        guard let value = Self(rawValue: raw) else { throw UnknownStoredValue(type: "\(Self.self)", value: raw) }
        self = value
    }
}
