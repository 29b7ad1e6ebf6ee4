import Foundation
import Synchronization
import WerkstattDomain
import WerkstattStore

/// Who holds a token, kept for a short time (`ttl`) so that most requests do not ask the
/// database. Correctness never rests on it (docs/security.md, "Token cache"):
///
/// - it answers only while `TokenCacheListener` listens for `CallerChange`s, and drops
///   the token a change names (or everything) when the notification arrives; while the
///   listener is not connected it keeps nothing and every request asks the database;
/// - an entry lives at most `ttl`, counted from before the look-up that filled it, and
///   never past the token's `expires_at`: whatever a lost notification would have said
///   is known `ttl` after its commit at the latest;
/// - a look-up keeps its answer only if nothing was dropped since it began (`epoch`), so
///   an answer read before a change cannot outlive that change's notification;
/// - only live callers are kept: an unknown, revoked or expired token asks every time.
public final class TokenCache: Sendable {
    public let ttl: Duration
    let clock: any MonotonicClock
    /// Most entries at once; reaching it drops them all (each costs one look-up again).
    let capacity: Int

    private struct Entry {
        var lookup: TokenLookup
        var until: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Data: Entry] = [:]
        /// Counts every drop and every start or loss of listening.
        var epoch: UInt64 = 0
        var listening = false
    }

    private let state = Mutex(State())

    public init(ttl: Duration, clock: any MonotonicClock = SystemClock(), capacity: Int = 100_000) {
        self.ttl = ttl
        self.clock = clock
        self.capacity = capacity
    }

    /// The token's caller: kept, or from `load` (and then kept if it may be).
    func lookup(_ token: String, load: (String) async throws -> TokenLookup?) async throws -> TokenLookup? {
        let hash = Token.hash(token)
        let now = clock.now
        let (kept, epoch) = state.withLock { state -> (TokenLookup?, UInt64?) in
            guard state.listening else { return (nil, nil) }
            if let entry = state.entries[hash] {
                if now < entry.until { return (entry.lookup, nil) }
                state.entries[hash] = nil
            }
            return (nil, state.epoch)
        }
        if let kept { return kept }
        let found = try await load(token)
        guard let epoch, let found, case .caller(_, let expiresIn) = found else { return found }
        let until = now + min(ttl, expiresIn ?? ttl)
        state.withLock { state in
            guard state.listening, state.epoch == epoch else { return }
            if state.entries.count >= capacity { state.entries.removeAll() }
            state.entries[hash] = Entry(lookup: found, until: until)
        }
        return found
    }

    /// The notification named a change: drop what it concerns.
    func apply(_ change: CallerChange) {
        state.withLock { state in
            state.epoch &+= 1
            switch change {
            case .token(let hash): state.entries[hash] = nil
            case .all: state.entries.removeAll()
            }
        }
    }

    /// LISTEN is in place (or no longer): start afresh, keeping entries only from now on
    /// (or none at all). Changes committed while nobody listened are not known.
    func setListening(_ listening: Bool) {
        state.withLock { state in
            state.epoch &+= 1
            state.entries.removeAll()
            state.listening = listening
        }
    }

    /// Whether the cache answers (tests).
    public var isListening: Bool { state.withLock { $0.listening } }

    /// Whether the token's caller is kept now (tests).
    public func keeps(_ token: String) -> Bool {
        let (hash, now) = (Token.hash(token), clock.now)
        return state.withLock { $0.entries[hash].map { now < $0.until } ?? false }
    }

    /// How many tokens are kept now (tests).
    public var count: Int { state.withLock { $0.entries.count } }
}
