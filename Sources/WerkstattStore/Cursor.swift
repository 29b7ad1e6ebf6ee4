import Foundation
import WerkstattDomain

/// Keyset pagination: an opaque cursor wraps the sort key of the last item on a page.
public struct PageRequest: Sendable {
    public static let defaultLimit = 50
    public static let maxLimit = 500

    public var limit: Int
    /// The sort key after which the page starts (nil: from the beginning).
    public var after: String?

    public init(limit: Int = PageRequest.defaultLimit, after: String? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Reads `limit` and `cursor` as a client sent them, or explains what is wrong.
    public init(limit: String?, cursor: String?) throws(StoreError) {
        var errors: [FieldError] = []
        var parsedLimit = Self.defaultLimit
        if let limit {
            if let value = Int(limit), (1...Self.maxLimit).contains(value) {
                parsedLimit = value
            } else {
                errors.append(FieldError("limit", "must be a whole number from 1 to \(Self.maxLimit)"))
            }
        }
        var key: String?
        if let cursor, !cursor.isEmpty {
            key = Self.decode(cursor)
            if key == nil { errors.append(FieldError("cursor", "is not a cursor this server gave out")) }
        }
        guard errors.isEmpty else { throw .invalid(errors) }
        self.init(limit: parsedLimit, after: key)
    }

    /// The seq after which the page starts, for tables paginated by seq.
    var afterSeq: Int64 { after.flatMap { Int64($0) } ?? 0 }

    /// The cursor a client sends to get the page after the item with this key.
    static func encode(_ key: String) -> String {
        Data("v1:\(key)".utf8).base64URLEncoded
    }

    static func decode(_ cursor: String) -> String? {
        guard let data = Data(base64URLEncoded: cursor), let text = String(data: data, encoding: .utf8),
              text.hasPrefix("v1:") else { return nil }
        // Keys are sequence numbers or comment paths: digits and dots only.
        let key = String(text.dropFirst(3))
        guard !key.isEmpty, key.count <= 2_000, key.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
            return nil
        }
        return key
    }

    /// Cuts a fetched list of `limit + 1` rows into a page and the cursor after it.
    func page<Item>(_ rows: [(key: String, item: Item)]) -> Page<Item> {
        let items = rows.prefix(limit)
        let next = rows.count > limit ? items.last.map { Self.encode($0.key) } : nil
        return Page(items: items.map(\.item), nextCursor: next)
    }
}
