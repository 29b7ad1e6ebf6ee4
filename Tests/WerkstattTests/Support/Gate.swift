import Synchronization

/// A one-way gate: tasks wait until the test opens it. It ignores cancellation, like a
/// database call that hangs, and lets a test order events without sleeping.
final class Gate: Sendable {
    private struct State {
        var open = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var isOpen: Bool { state.withLock { $0.open } }

    func wait() async {
        await withCheckedContinuation { continuation in
            let passed = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if passed { continuation.resume() }
        }
    }
}
