import Foundation
import Synchronization
import WerkstattRules
import WerkstattStore

/// Everything a rendered ranking depends on once the snapshot is chosen: the snapshot
/// (immutable), the format, and the workshop as last changed (Markdown and HTML show its
/// title and facts, file names its slug). Who asks only chooses the snapshot
/// (`RoundRepository.standing(of:for:)`): the k rule's disclosures are in the snapshot.
public struct SnapshotRendering: Hashable, Sendable {
    public var snapshot: SnapshotRef
    public var format: ExportFormat
    public var workshopVersion: Date

    public init(snapshot: SnapshotRef, format: ExportFormat, workshopVersion: Date) {
        self.snapshot = snapshot; self.format = format; self.workshopVersion = workshopVersion
    }

    /// Named by the same parts, so no body is hashed: snapshot id, digest, format,
    /// language, delimiter and the workshop's version.
    var entityTag: EntityTag {
        let delimiter = format.delimiter.unicodeScalars.first.map { String($0.value) } ?? "0"
        let version = Int64((workshopVersion.timeIntervalSince1970 * 1_000_000).rounded())
        return EntityTag(weak: "r\(snapshot.id)-\(snapshot.digest.prefix(16))-\(format.kind.rawValue)-"
                         + "\(format.language.rawValue)-\(delimiter)-\(version)")
    }
}

/// Rendered rankings by what they were rendered from, so a read that finds the same
/// snapshot again costs no encoding. Per process, as snapshots never change: no copy can go
/// stale, whatever another process does. Bounded in bytes; the least recently used go first.
public final class RenderedSnapshots: Sendable {
    private struct Entry {
        var document: ExportDocument
        var size: Int
        var used: UInt64
    }

    private struct State {
        var entries: [SnapshotRendering: Entry] = [:]
        var bytes = 0
        var uses: UInt64 = 0
    }

    /// Bodies kept, in bytes at most.
    public let budget: Int
    private let state = Mutex(State())

    /// 16 MiB holds some 2 700 rankings of 6 kB: every round's current one in each format.
    public init(budget: Int = 16 << 20) {
        self.budget = budget
    }

    /// The kept rendering, or `render`'s, kept from now on.
    public func document(for key: SnapshotRendering, render: () async throws -> ExportDocument) async rethrows -> ExportDocument {
        if let kept = state.withLock({ state -> ExportDocument? in
            state.uses += 1
            state.entries[key]?.used = state.uses
            return state.entries[key]?.document
        }) {
            return kept
        }
        let document = try await render()
        keep(document, for: key)
        return document
    }

    /// Renderings kept now.
    public var count: Int { state.withLock { $0.entries.count } }

    private func keep(_ document: ExportDocument, for key: SnapshotRendering) {
        let size = document.body.utf8.count + document.fileName.utf8.count + document.contentType.utf8.count
        guard size <= budget / 4 else { return }
        state.withLock { state in
            state.uses += 1
            if let old = state.entries.updateValue(Entry(document: document, size: size, used: state.uses), forKey: key) {
                state.bytes -= old.size
            }
            state.bytes += size
            guard state.bytes > budget else { return }
            // Down to three quarters at once, so that sorting happens once per many inserts.
            for (key, entry) in state.entries.sorted(by: { $0.value.used < $1.value.used }) where state.bytes > budget * 3 / 4 {
                state.entries[key] = nil
                state.bytes -= entry.size
            }
        }
    }
}
