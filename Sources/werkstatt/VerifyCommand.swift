import ArgumentParser
import Foundation
import WerkstattDomain

/// `werkstatt verify FILE`: checks a saved `GET /v1/rounds/{id}/audit` response offline.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a saved audit response: its digest, and the ranking recomputed from its canonical text.",
        discussion: """
            FILE is the JSON that GET /v1/rounds/{round_id}/audit answered ('-' reads standard input). \
            Exits 0 when the canonical text hashes to the digest and counting it again gives the \
            snapshot's ranking, 1 on any mismatch, 2 when the file cannot be read.
            """)

    @Argument(help: "The saved audit response.") var file: String

    func run() throws {
        let data: Data
        do {
            data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                               : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw Self.unreadable("cannot read \(file): \(error.localizedDescription)")
        }
        let audit: RoundAudit
        do {
            audit = try JSONDecoder.rfc3339().decode(RoundAudit.self, from: data)
        } catch {
            throw Self.unreadable("\(file) is not an audit response: \(error)")
        }
        let check = AuditVerification.verify(audit)
        print("round    \(audit.roundId.uuidString.lowercased())")
        print("format   \(audit.format)")
        print("digest   \(check.digestMatches ? "matches" : "MISMATCH")  \(check.computedDigest ?? "-")")
        print("ranking  \(check.rankingMatches ? "matches" : "MISMATCH")  \(audit.ranking.ballotsCounted) ballots, \(audit.ranking.items.count) items")
        for difference in check.differences { print("  - \(difference)") }
        if !check.passed { throw ExitCode(1) }
    }

    /// Says why on standard error and exits 2, apart from a mismatch's 1.
    private static func unreadable(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return ExitCode(2)
    }
}
