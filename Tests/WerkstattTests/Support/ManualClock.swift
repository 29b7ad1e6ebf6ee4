import Synchronization
import WerkstattAPI

/// A clock that stands still until the test moves it, so time-dependent rules are tested
/// at exact times however loaded the machine is.
final class ManualClock: MonotonicClock {
    private let current = Mutex(ContinuousClock.now)

    var now: ContinuousClock.Instant { current.withLock { $0 } }

    func advance(by duration: Duration) {
        current.withLock { $0 += duration }
    }
}
