import Foundation
import Logging
import PostgresNIO

/// Removes the ranking snapshots nobody needs: provisional ones that are superseded, were
/// never given to a reader, and are older than `age`. Which ones qualify is decided by
/// `prune_ranking_snapshots` (sql/015), whatever the cutoff: a final, shown or latest
/// snapshot, a round's latest published one and the last published one of each UTC day stay.
/// Any number of workers may prune at once (the function skips locked rows).
public struct SnapshotRetention: Sendable {
    /// How long a snapshot that may go is kept all the same (benchmarks and the fault scripts
    /// read every snapshot of a run; an operator may look at the last hour's).
    public var age: Duration
    /// Snapshots deleted per transaction.
    public var batch: Int
    /// Time between two prunings.
    public var interval: Duration
    /// The clock the cutoff is taken from (tests move it).
    public var now: @Sendable () -> Date

    public static let defaultAge: Duration = .seconds(3600)

    public init(age: Duration = Self.defaultAge, batch: Int = 500, interval: Duration = .seconds(60),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.age = age
        self.batch = max(1, batch)
        self.interval = interval
        self.now = now
    }

    /// Prunes batch after batch, each committed on its own, until a batch finds fewer than
    /// it may take; returns the snapshots removed.
    public func prune(client: PostgresClient, logger: Logger) async throws -> Int {
        let cutoff = now().addingTimeInterval(-Double(age.components.seconds) - Double(age.components.attoseconds) / 1e18)
        var total = 0
        while true {
            let pruned = try await client.write(PruneSnapshots(cutoff: cutoff, batch: Int32(clamping: batch)), logger: logger)
                .first ?? 0
            total += pruned
            if pruned < batch { return total }
        }
    }
}

/// One batch of `SnapshotRetention.prune`.
struct PruneSnapshots: PostgresPreparedStatement {
    static let sql = "SELECT prune_ranking_snapshots($1, $2) AS pruned"

    var cutoff: Date
    var batch: Int32

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(cutoff)
        bindings.append(batch)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int {
        Int(try row.decode(Int32.self))
    }
}
