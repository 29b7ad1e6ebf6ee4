import Logging
import PostgresNIO
import WerkstattDomain

extension PostgresRandomAccessRow {
    /// The named column, decoded; reads like `try row.get("title")`.
    package func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self, context: .default)
    }
}

/// A row's cells in order, each decoded as the type asked. For results of thousands of
/// rows, where the generic tuple decode (type metadata looked up per row) and a
/// random-access row (a table of column names built per row) cost more than the data.
struct Cells {
    /// The row has fewer columns than were read: the query and the reader disagree.
    struct Missing: Error {}

    /// An array cell is not one-dimensional and free of nulls, as the reader expects.
    struct NotAList: Error {}
    /// Arrays read side by side (a column each of the same rows) differ in length.
    struct Misaligned: Error {}

    private var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) { cells = row.makeIterator() }

    mutating func next<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T {
        guard let cell = cells.next() else { throw Missing() }
        return try cell.decode(T.self, context: .default)
    }

    /// A one-dimensional array without nulls, element by element. PostgresNIO's own array
    /// decoding is generic code the compiler cannot specialize from here: it looks up type
    /// metadata for every element and cost several times what this does (a fifth of the
    /// progress report's CPU, where history arrives as arrays).
    mutating func nextList<T: PostgresDecodable>(of element: T.Type = T.self) throws -> [T] {
        guard let cell = cells.next() else { throw Missing() }
        guard cell.format == .binary, var bytes = cell.bytes,
              let (dimensions, hasNulls, elementOID) = bytes.readMultipleIntegers(endianness: .big, as: (Int32, Int32, UInt32).self),
              hasNulls == 0
        else { throw NotAList() }
        if dimensions == 0 { return [] }
        guard dimensions == 1, let (count, _) = bytes.readMultipleIntegers(endianness: .big, as: (Int32, Int32).self), count >= 0
        else { throw NotAList() }
        let elementType = PostgresDataType(elementOID)
        var list: [T] = []
        list.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = bytes.readInteger(endianness: .big, as: Int32.self), length >= 0,
                  var value = bytes.readSlice(length: Int(length))
            else { throw NotAList() }
            list.append(try T(from: &value, type: elementType, format: .binary, context: .default))
        }
        guard bytes.readableBytes == 0 else { throw NotAList() }
        return list
    }
}

extension PostgresRandomAccessRow {
    /// A recommendation's timeframe from its columns `timeframe_kind`, `_year`, `_to_year`.
    func timeframe() throws -> Timeframe? {
        try Timeframe.stored(kind: try get("timeframe_kind"), year: try get("timeframe_year"), toYear: try get("timeframe_to_year"))
    }

    /// An item's or measure's state from the columns `measure_state` records, named as in
    /// `measures` (which implementation_history mirrors, sql/013). Items have no parent,
    /// title or weight: their columns are null.
    func recordedState(milestones: [Milestone], archived: Bool = false) throws -> RecordedState {
        RecordedState(parentId: try get("parent_id"), title: try get("title"), lead: try get("lead"),
                      timeframe: try timeframe(), status: try ImplementationStatus(decoding: try get("status")),
                      statusExplicit: try get("status_explicit"), progress: Int(try get("progress", as: Int32.self)),
                      weight: try get("weight"), reviewDue: try get("review_due"), milestones: milestones, archived: archived)
    }

    /// Milestones from implementation_history's columns `milestone_titles`, `milestone_dues`
    /// and `milestone_dones` (sql/013), where '' is a milestone not done.
    func milestones() throws -> [Milestone] {
        Milestone.stored(titles: try get("milestone_titles"), dues: try get("milestone_dues"), dones: try get("milestone_dones"))
    }
}

extension Timeframe {
    /// A timeframe from its columns `timeframe_kind`, `_year`, `_to_year`.
    static func stored(kind: String?, year: Int32?, toYear: Int32?) throws -> Timeframe? {
        guard let kind = try kind.map({ try Timeframe.Kind(decoding: $0) }) else { return nil }
        return Timeframe(kind: kind, year: year.map(Int.init), toYear: toYear.map(Int.init))
    }
}

extension Milestone {
    /// Milestones from the three arrays of implementation_history (sql/013), '' where one is not done.
    static func stored(titles: [String], dues: [String], dones: [String]) -> [Milestone] {
        zip(titles, zip(dues, dones)).map { title, dates in
            Milestone(title: title, due: dates.0, done: dates.1.isEmpty ? nil : dates.1)
        }
    }
}

extension PostgresClient {
    /// Runs a statement that writes, in an explicit transaction, and returns its rows once
    /// COMMIT has completed. A bare statement would not do: PostgreSQL sends its rows and
    /// CommandComplete before it commits (at Sync), so a connection lost in between would
    /// report success for a write that was rolled back.
    package func write<T: Sendable>(_ query: PostgresQuery, logger: Logger,
                          _ transform: @Sendable (PostgresRandomAccessRow) throws -> T) async throws -> [T] {
        try await withTransaction(logger: logger) { connection in
            try await connection.query(query, logger: logger).all(transform)
        }
    }

    /// `write` for a prepared statement: its rows, once COMMIT has completed.
    package func write<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        try await withTransaction(logger: logger) { connection in
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
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
