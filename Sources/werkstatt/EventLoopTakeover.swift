import NIOCore
import NIOPosix

/// Swift concurrency's global executor becomes NIO's event loops, for the whole process.
///
/// Without it, every request crosses threads several times: the bytes arrive on an event
/// loop, the handler runs on the concurrency pool, each query goes back to an event loop
/// and its answer to the pool again. Each crossing is a wake-up in the kernel; together
/// they were the largest single cost of an authenticated read (issue 14's profile). On
/// the event loops, a continuation resumed by I/O runs on the thread that did the I/O.
/// CPU-heavy work moves off them explicitly (`ComputeExecutor`).
///
/// `WERKSTATT_EVENT_LOOP_EXECUTOR=0` leaves Swift's own pool in place (to compare, or
/// should the takeover misbehave on some platform).
enum EventLoopTakeover {
    /// Call first thing in `main`, before any task is created; at most once.
    static func installUnlessDisabled(environment: [String: String]) -> Bool {
        guard environment["WERKSTATT_EVENT_LOOP_EXECUTOR"] != "0" else { return false }
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
