import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the `werkstatt` binary that `make test` builds beside the tests, as a user would.
///
/// Not through Foundation's `Process`: on Linux it hooks a run loop onto the calling thread
/// (here one of the concurrency pool's few threads), blocks it in `waitUntilExit`, and
/// watches the child from a CFSocket manager thread. A CI run froze the whole test process
/// just after the two command-line tests; these spawn the child with `posix_spawn`, give it
/// files rather than pipes for its output, and poll for its exit without blocking a thread.
enum Command {
    /// What a run of the command left: its exit status and what it wrote.
    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var errors: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The binary, if it was built (a bare `swift test --filter` may not have built it).
    static var binary: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/werkstatt")
        return FileManager.default.isExecutableFile(atPath: binary.path) ? binary : nil
    }

    /// Runs `binary` with `arguments` (standard input empty) until it exits, at most `limit`.
    static func run(_ binary: URL, _ arguments: [String], limit: Duration = .seconds(120)) async throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("command-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("stdout"), errors = directory.appendingPathComponent("stderr")

        let pid = try spawn(binary.path, arguments, output: output.path, errors: errors.path)
        let end = ContinuousClock.now + limit
        var status: Int32 = 0
        while true {
            let ended = waitpid(pid, &status, WNOHANG)
            if ended == pid { break }
            if ended == -1 && errno != EINTR { throw Failure(description: "waitpid: \(String(cString: strerror(errno)))") }
            if ContinuousClock.now > end {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw Failure(description: "\(binary.lastPathComponent) \(arguments.joined(separator: " ")) ran longer than \(limit)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // The wait status as <sys/wait.h> lays it out: a signal in the low 7 bits, else the exit code above them.
        let signal = status & 0x7f
        return Outcome(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal,
                       output: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
                       errors: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }

    /// Starts the child with /dev/null as standard input and the two files as its output.
    private static func spawn(_ path: String, _ arguments: [String], output: String, errors: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid = pid_t()
        let failed = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard failed == 0 else { throw Failure(description: "posix_spawn \(path): \(String(cString: strerror(failed)))") }
        return pid
    }
}
