import Foundation
import Synchronization
import WerkstattDomain

/// What a round is about (workshop, method, parameters, recommendations) never changes
/// after it is created, so the ballot path keeps it in memory. Its state does change and
/// is never read from here.
final class RoundDefinitions: Sendable {
    private let rounds = Mutex<[UUID: Round]>([:])
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The round, from memory or loaded once; nil when there is no such round.
    func round(_ id: UUID, loading load: (UUID) async throws -> Round?) async throws -> Round? {
        if let known = rounds.withLock({ $0[id] }) { return known }
        guard let loaded = try await load(id) else { return nil }
        rounds.withLock { rounds in
            if rounds.count >= capacity { rounds.removeAll(keepingCapacity: true) }
            rounds[id] = loaded
        }
        return loaded
    }
}
