import Synchronization

/// Gives up waiting for a database call after a deadline, even when the call itself does
/// not react to cancellation: PostgresNIO 1.33.2 can keep a query waiting for ever for a
/// connection while PostgreSQL is shutting down. The call runs in a task of its own,
/// which is cancelled and left to finish by itself.
public enum Deadline {
    public static func run<T: Sendable>(_ deadline: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let waiter = Waiter<T>()
        return try await withCheckedThrowingContinuation { continuation in
            waiter.start(continuation)
            let work = Task {
                do { waiter.finish(.success(try await operation())) } catch { waiter.finish(.failure(error)) }
            }
            waiter.setTimer(Task {
                guard (try? await Task.sleep(for: deadline)) != nil else { return }
                waiter.finish(.failure(StoreError.unavailable("the database did not answer within \(deadline)")))
                work.cancel()
            })
        }
    }

    /// One continuation, resumed once: by the call or by the timer.
    private final class Waiter<T: Sendable>: Sendable {
        private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)
        private let timer = Mutex<Task<Void, Never>?>(nil)

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            self.continuation.withLock { $0 = continuation }
        }

        func setTimer(_ task: Task<Void, Never>) {
            // The call may have finished already; then the timer is not needed.
            let done = continuation.withLock { $0 == nil }
            if done { task.cancel() } else { timer.withLock { $0 = task } }
        }

        func finish(_ result: Result<T, any Error>) {
            guard let continuation = continuation.withLock({ value in defer { value = nil }; return value }) else { return }
            timer.withLock { $0?.cancel() }
            continuation.resume(with: result)
        }
    }
}
