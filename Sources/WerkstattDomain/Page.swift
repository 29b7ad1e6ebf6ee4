/// One page of a list: `{"items": [...], "next_cursor": "..." | null}`.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items; self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    /// Encodes nil as `null`, which clients read as "last page".
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

extension Page {
    /// The page as `encode(to:)` writes it (JSONText), each item by `item`; `bytesPerItem`
    /// sizes the buffer.
    public func json(bytesPerItem: Int, _ item: (inout JSONText, Item) -> Void) -> JSONText {
        var json = JSONText(capacity: 64 + items.count * bytesPerItem)
        json.object { json in
            json.key("items", first: true); json.array(items, item)
            json.key("next_cursor"); json.string(nextCursor)
        }
        return json
    }
}
