import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// A ranking snapshot by what identifies its content: snapshots are immutable, so whatever
/// is rendered from one stays the same as long as its id and digest do.
public struct SnapshotRef: Sendable, Hashable {
    public var id: Int64
    public var digest: String

    public init(id: Int64, digest: String) {
        self.id = id; self.digest = digest
    }
}

/// Which snapshot a reader of a round's ranking gets (`RoundRepository.standing(of:for:)`).
public enum Standing: Sendable, Equatable {
    /// The reader may not see an open round's standing (`Ranking.withheldUntilClose`).
    case withheld
    /// No snapshot a reader may see exists yet (`Ranking.notYetComputed`).
    case notYetComputed
    /// This snapshot, recorded as shown: retention keeps it for good.
    case snapshot(SnapshotRef)
}

/// The latest published snapshot of a round ($2: final ones only), with whether a reader
/// has been given it already. The ranking read's first statement: it is all a repeated
/// read needs (the body comes from the API's cache, or a 304).
struct CurrentSnapshot: PostgresPreparedStatement {
    static let sql = """
        SELECT id, digest, shown FROM ranking_snapshots
         WHERE round_id = $1 AND published AND (NOT $2::boolean OR NOT provisional)
         ORDER BY id DESC LIMIT 1
        """

    var round: UUID
    var finalOnly: Bool

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(round)
        bindings.append(finalOnly)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> (SnapshotRef, shown: Bool) {
        let (id, digest, shown) = try row.decode((Int64, String, Bool).self)
        return (SnapshotRef(id: id, digest: digest), shown)
    }
}

/// A prepared statement whose one parameter ($1) is `id`.
protocol OneParameterStatement: PostgresPreparedStatement {
    associatedtype Parameter: PostgresEncodable
    var id: Parameter { get }
}

extension OneParameterStatement {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        try bindings.append(id)
        return bindings
    }
}

/// A round by id (`PostgresRoundRepository.get`).
struct RoundById: OneParameterStatement {
    static let sql = PostgresRoundRepository.select + " WHERE r.id = $1"

    var id: UUID

    func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
}

/// One snapshot's columns as `PostgresRoundRepository.ranking(_:of:)` reads them.
struct SnapshotById: OneParameterStatement {
    static let sql = "SELECT \(PostgresRoundRepository.snapshotColumns) FROM ranking_snapshots WHERE id = $1"

    var id: Int64

    func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
}

/// Records that a reader is given the snapshot (sql/015); false when retention removed it
/// meanwhile. Run in a transaction: the mark is committed before the reader gets anything.
struct MarkSnapshotShown: OneParameterStatement {
    static let sql = "SELECT mark_ranking_snapshot_shown($1) AS kept"

    var id: Int64

    func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
}

extension PostgresClient {
    /// Marks a snapshot shown unless it is already (`shown`: what the read saw), committed
    /// before it returns; false when retention removed it between the read and the mark.
    /// Each snapshot is written to once at most, by its first reader.
    package func markShown(_ snapshot: Int64, shown: Bool, logger: Logger) async throws -> Bool {
        if shown { return true }
        return try await write(MarkSnapshotShown(id: snapshot), logger: logger).first ?? false
    }
}
