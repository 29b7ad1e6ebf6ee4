import NIOCore
import NIOPosix

/// Threads of their own for CPU-heavy work (the worker's counting and opinion maps).
///
/// `werkstatt` runs Swift concurrency on NIO's event loops (`EventLoopTakeover`), so a
/// request's handler and its I/O share a thread and no hand-off between NIO and the
/// concurrency pool is paid per request. A computation that takes a second must then not
/// run there: every connection on that loop would wait for it. Tasks that prefer this
/// executor (`withTaskExecutorPreference`, or `Deadline.run(_:on:_:)`) run on its
/// threads instead; their database I/O still completes on the event loops.
public final class ComputeExecutor: TaskExecutor {
    private let threads: MultiThreadedEventLoopGroup

    public init(threads: Int) {
        self.threads = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
    }

    /// The process's one, with as many threads as the machine has cores: the counting
    /// gets the whole machine when nothing else runs, and the kernel shares it with the
    /// event loops when requests come in.
    public static let shared = ComputeExecutor(threads: System.coreCount)

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // `any()` stays on the current thread when it is one of ours (no wake-up).
        threads.any().execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
