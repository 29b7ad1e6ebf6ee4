import Foundation
import WerkstattStore
import Synchronization

/// Where time comes from for rules that depend on it: the system's monotonic clock in
/// service, a clock the test moves by hand in tests (so no test depends on how fast the
/// machine is).
public protocol MonotonicClock: Sendable {
    var now: ContinuousClock.Instant { get }
}

/// The system's monotonic clock.
public struct SystemClock: MonotonicClock {
    public init() {}
    public var now: ContinuousClock.Instant { .now }
}

/// Requests a second on average (`rate`), and the most at once (`burst`).
public struct RateLimit: Sendable {
    public var rate: Double
    public var burst: Double

    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Per token.
    public static let standard = RateLimit(rate: 100, burst: 200)
    /// Per client address, before authentication: enough for a workshop evening of a few
    /// hundred people behind one router, far below a flood.
    public static let perAddress = RateLimit(rate: 500, burst: 1000)
}

/// A token bucket per key (a caller, a client address): `rate` requests a second on
/// average, bursts up to `burst`. It lives in the API process, so behind several replicas
/// each one counts for itself.
public final class RateLimiter<Key: Hashable & Sendable>: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private struct State {
        var buckets: [Key: Bucket] = [:]
        var lastSweep: ContinuousClock.Instant
    }

    let limit: RateLimit
    private let clock: any MonotonicClock
    private let state: Mutex<State>

    public init(limit: RateLimit, clock: any MonotonicClock = SystemClock()) {
        self.limit = limit
        self.clock = clock
        self.state = Mutex(State(lastSweep: clock.now))
    }

    /// Takes one request from the caller's bucket: nil when allowed, otherwise how long
    /// to wait before the next request would be.
    func take(for caller: Key) -> Duration? {
        let now = clock.now
        return state.withLock { state in
            // Buckets that have refilled completely carry no information: drop them now and then.
            if now - state.lastSweep > .seconds(60) {
                let full = Duration.seconds(limit.burst / limit.rate)
                state.buckets = state.buckets.filter { now - $0.value.updated < full }
                state.lastSweep = now
            }
            var bucket = state.buckets[caller] ?? Bucket(tokens: limit.burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = elapsed.seconds
            bucket.tokens = min(limit.burst, bucket.tokens + seconds * limit.rate)
            bucket.updated = now
            defer { state.buckets[caller] = bucket }
            guard bucket.tokens >= 1 else {
                return .seconds((1 - bucket.tokens) / limit.rate)
            }
            bucket.tokens -= 1
            return nil
        }
    }
}
