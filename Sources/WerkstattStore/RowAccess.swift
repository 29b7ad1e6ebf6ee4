import PostgresNIO

extension PostgresRandomAccessRow {
    /// The named column, decoded; reads like `try row.get("title")`.
    package func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self, context: .default)
    }
}

extension PostgresRowSequence {
    /// Every row, mapped by name; for the small result sets an API page holds.
    package func all<T>(_ transform: (PostgresRandomAccessRow) throws -> T) async throws -> [T] {
        var result: [T] = []
        for try await row in self { result.append(try transform(row.makeRandomAccess())) }
        return result
    }
}
