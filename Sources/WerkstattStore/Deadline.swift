import NIOCore
import NIOPosix
import Synchronization

/// Gives up waiting for a database call after a deadline, even when the call itself does
/// not react to cancellation: PostgresNIO 1.33.2 can keep a query waiting for ever for a
/// connection while PostgreSQL is shutting down. The call runs in a task of its own,
/// which is cancelled and left to finish by itself.
///
/// The timers are NIO's, not `Task.sleep`'s: on Linux every `Task.sleep` goes through a
/// Dispatch timer and its manager thread; with two or three such timers per request
/// they took about a seventh of the API's CPU.
public enum Deadline {
    /// The result of `operation`, or `StoreError.unavailable` once `deadline` has passed.
    /// Cancelling the caller cancels the operation and throws `CancellationError` at once.
    public static func run<T: Sendable>(_ deadline: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let waiter = Waiter<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard waiter.start(continuation) else { return }
                let work = Task {
                    do { waiter.finish(.success(try await operation())) } catch { waiter.finish(.failure(error)) }
                }
                let timer = loop.scheduleTask(in: TimeAmount(deadline)) {
                    waiter.finish(.failure(StoreError.unavailable("the database did not answer within \(deadline)")),
                                  cancellingWork: true)
                }
                waiter.attach(work: work, timer: timer)
            }
        } onCancel: {
            waiter.finish(.failure(CancellationError()), cancellingWork: true)
        }
    }

    /// The caller's event loop when it runs on one, else any of NIO's shared ones.
    private static var loop: any EventLoop {
        MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
    }

    /// One wait, ended once: by the operation, the timer or the caller's cancellation,
    /// whichever comes first, in whatever order they race.
    private final class Waiter<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var work: Task<Void, Never>?
            var timer: Scheduled<Void>?
            var finished = false
        }
        private let state = Mutex(State())

        /// False when the wait ended before it began (the caller was cancelled); the
        /// continuation has then been resumed.
        func start(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
            let over = state.withLock { state in
                if !state.finished { state.continuation = continuation }
                return state.finished
            }
            if over { continuation.resume(throwing: CancellationError()) }
            return !over
        }

        func attach(work: Task<Void, Never>, timer: Scheduled<Void>) {
            let over = state.withLock { state in
                if !state.finished { (state.work, state.timer) = (work, timer) }
                return state.finished
            }
            // Ended in between: by the operation (cancelling it is harmless then), or
            // by the timer or a cancellation that could not reach the work yet.
            if over { timer.cancel(); work.cancel() }
        }

        func finish(_ result: Result<T, any Error>, cancellingWork: Bool = false) {
            let ended = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Scheduled<Void>?)? in
                guard !state.finished else { return nil }
                state.finished = true
                defer { (state.continuation, state.work, state.timer) = (nil, nil, nil) }
                return (state.continuation, state.work, state.timer)
            }
            guard let (continuation, work, timer) = ended else { return }
            timer?.cancel()
            if cancellingWork { work?.cancel() }
            continuation?.resume(with: result)
        }
    }
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
