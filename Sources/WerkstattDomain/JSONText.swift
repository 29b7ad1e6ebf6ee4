import Foundation

/// JSON written by hand exactly as `JSONEncoder.contract()` writes it: keys in sorted order
/// (the writer lists them so), slashes not escaped, numbers as the encoder prints them,
/// times as `JSONEncoder.contractTime`. For answers too large for the encoder, which builds
/// a tree of dictionaries first: the implementation list with thousands of measures
/// (ImplementationList+JSON.swift). Tests hold the output to the encoder's.
public struct JSONText {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// The text so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `"key":` (the key is written as it is: the writers pass plain ASCII names).
    mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func null() { raw("null") }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0..<0x20:
                raw("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0f)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func uuid(_ value: UUID?) {
        if let value { string(value.text) } else { null() }
    }

    mutating func int(_ value: Int?) {
        if let value { bytes.append(contentsOf: String(value).utf8) } else { null() }
    }

    /// As the encoder prints a Double: its shortest description, without a trailing ".0".
    mutating func number(_ value: Double?) {
        guard let value else { return null() }
        let text = value.description
        bytes.append(contentsOf: text.hasSuffix(".0") ? text.utf8.dropLast(2) : text.utf8[...])
    }

    mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    mutating func date(_ value: Date) { string(JSONEncoder.contractTime(value)) }

    /// `[…]` with each element written by `element`.
    mutating func array<Element>(_ elements: [Element], _ element: (inout JSONText, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `{…}`: `fields` writes the keys (the first with `first: true`) and values.
    mutating func object(_ fields: (inout JSONText) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        fields(&self)
        bytes.append(UInt8(ascii: "}"))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
