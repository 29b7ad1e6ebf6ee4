import Foundation

/// JSON written by hand exactly as `JSONEncoder.contract()` writes it: keys in sorted order
/// (the writer lists them so; a dictionary's by their UTF-8 bytes, as the encoder sorts
/// them on Linux), slashes not escaped, numbers as the encoder prints them, times as
/// `JSONEncoder.contractTime`. For answers too large for the encoder, which builds a tree
/// of dictionaries first: the implementation list with thousands of measures
/// (ImplementationList+JSON.swift), and for the hot thesis page (Thesis+JSON.swift).
/// Tests hold the output to the encoder's.
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

    /// `"name":` for a key known only when writing (a dictionary's), escaped as a string is.
    mutating func key(text name: String, first: Bool) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func null() { raw("null") }

    /// The text between quotes, escaped as the encoder escapes it; the runs between
    /// escapes are copied whole.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var run = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                escape(byte)
                run = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        case 0x08: raw("\\b")
        case 0x0C: raw("\\f")
        default:
            raw("\\u00")
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0f)])
        }
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func uuid(_ value: UUID?) {
        guard let value else { return null() }
        bytes.append(UInt8(ascii: "\""))
        value.append(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
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

    mutating func date(_ value: Date) {
        bytes.append(UInt8(ascii: "\""))
        ContractTime.write(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

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

    /// A dictionary as the encoder writes it: `{…}` with the keys sorted by their UTF-8
    /// bytes, each value written by `value`.
    mutating func dictionary<Value>(_ values: [String: Value], _ value: (inout JSONText, Value) -> Void) {
        object { json in
            let sorted = values.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, entry) in sorted.enumerated() {
                json.key(text: entry.key, first: index == 0)
                value(&json, entry.value)
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
