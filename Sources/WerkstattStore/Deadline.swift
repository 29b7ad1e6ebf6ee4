import NIOCore
import NIOPosix
import Synchronization

/// Gives up waiting for a database call after a deadline, even when the call itself does
/// not react to cancellation: PostgresNIO 1.33.2 can keep a query waiting for ever for a
/// connection while PostgreSQL is shutting down. The call runs in a task of its own,
/// which is cancelled and left to finish by itself.
///
/// The timers are NIO's, not `Task.sleep`'s: on Linux every `Task.sleep` goes through a
/// Dispatch timer and its manager thread, which cost the API about a seventh of its CPU
/// when every request armed two or three of them.
public enum Deadline {
    public static func run<T: Sendable>(_ deadline: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let waiter = Waiter<T>()
        return try await withCheckedThrowingContinuation { continuation in
            waiter.start(continuation)
            let work = Task {
                do { waiter.finish(.success(try await operation())) } catch { waiter.finish(.failure(error)) }
            }
            waiter.setTimer(loop.scheduleTask(in: TimeAmount(deadline)) {
                waiter.finish(.failure(StoreError.unavailable("the database did not answer within \(deadline)")))
                work.cancel()
            })
        }
    }

    /// Sleeps for `duration` on an event loop's timer; throws `CancellationError` when the
    /// task is cancelled first.
    public static func sleep(for duration: Duration) async throws {
        let timer = loop.scheduleTask(in: TimeAmount(duration)) {}
        try await withTaskCancellationHandler {
            do { try await timer.futureResult.get() } catch { throw CancellationError() }
        } onCancel: {
            timer.cancel()
        }
    }

    /// The caller's event loop when it runs on one, else any of NIO's shared ones.
    private static var loop: any EventLoop {
        MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
    }

    /// One continuation, resumed once: by the call or by the timer.
    private final class Waiter<T: Sendable>: Sendable {
        private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)
        private let timer = Mutex<Scheduled<Void>?>(nil)

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            self.continuation.withLock { $0 = continuation }
        }

        func setTimer(_ scheduled: Scheduled<Void>) {
            // The call may have finished already; then the timer is not needed.
            let done = continuation.withLock { $0 == nil }
            if done { scheduled.cancel() } else { timer.withLock { $0 = scheduled } }
        }

        func finish(_ result: Result<T, any Error>) {
            guard let continuation = continuation.withLock({ value in defer { value = nil }; return value }) else { return }
            timer.withLock { $0?.cancel() }
            continuation.resume(with: result)
        }
    }
}
