import Foundation
import WerkstattVoting

/// What `werkstatt verify` finds in a saved audit response: whether the canonical text
/// hashes to the digest, and whether counting it again gives the snapshot's ranking.
public struct AuditVerification: Sendable, Equatable {
    /// SHA-256 of the canonical text, recomputed.
    public var computedDigest: String?
    /// The digest equals the recomputed one, in the audit and in its snapshot.
    public var digestMatches: Bool
    /// Counting the canonical text again gives the snapshot's items and disclosure.
    public var rankingMatches: Bool
    /// What differs, one line each; empty when both match.
    public var differences: [String]

    public var passed: Bool { digestMatches && rankingMatches }

    /// Checks an audit offline: nothing but the text and the published snapshot is used.
    public static func verify(_ audit: RoundAudit) -> AuditVerification {
        let input: RoundInput
        do {
            input = try Digest.parse(canonical: audit.canonical)
        } catch {
            return AuditVerification(computedDigest: nil, digestMatches: false, rankingMatches: false,
                                     differences: ["the canonical text cannot be read: \(error)"])
        }
        var differences: [String] = []
        // The text is canonical (parse checks that), so hashing the input hashes the text.
        let digest = Digest.sha256Hex(input)
        if digest != audit.digest { differences.append("digest: the text hashes to \(digest), the audit says \(audit.digest)") }
        if audit.ranking.digest != audit.digest {
            differences.append("digest: the snapshot says \(audit.ranking.digest ?? "none"), the audit says \(audit.digest)")
        }
        let digestMatches = differences.isEmpty

        let result = Tally.compute(input)
        let published = audit.ranking
        var rankingDifferences: [String] = []
        let recomputed: [RankingItem]
        do throws(SnapshotItemError) {
            recomputed = try RankingItem.items(of: result)
        } catch {
            recomputed = []
            switch error {
            case .notARecommendationId(let id): rankingDifferences.append("items: \(id) in the text is not a recommendation id")
            }
        }
        if result.ballotsCounted != published.ballotsCounted {
            rankingDifferences.append("ballots counted: \(result.ballotsCounted) recomputed, \(published.ballotsCounted) in the snapshot")
        }
        if published.minGroupSize != input.minGroupSize {
            rankingDifferences.append("min_group_size: \(input.minGroupSize) in the text, \(published.minGroupSize.map(String.init) ?? "none") in the snapshot")
        }
        let withheld = result.disclosure.undisclosed.map(\.rawValue)
        if withheld != published.withheldGroups {
            rankingDifferences.append("withheld groups: \(withheld) recomputed, \(published.withheldGroups) in the snapshot")
        }
        if recomputed.count != published.items.count {
            rankingDifferences.append("items: \(recomputed.count) recomputed, \(published.items.count) in the snapshot")
        }
        for (mine, theirs) in zip(recomputed, published.items) {
            var theirs = theirs
            theirs.title = ""  // titles are not counted, nor part of the text
            if mine != theirs {
                rankingDifferences.append("item \(theirs.code) (rank \(theirs.rank) in the snapshot): recomputed \(describe(mine)), snapshot \(describe(theirs))")
            }
        }
        return AuditVerification(computedDigest: digest, digestMatches: digestMatches,
                                 rankingMatches: rankingDifferences.isEmpty, differences: differences + rankingDifferences)
    }

    private static func describe(_ item: RankingItem) -> String {
        "\(item.code) rank \(item.rank) score \(item.score) supporters \(item.supporters) interval \(item.rankInterval)"
            + " consensus \(item.consensus) controversy \(item.controversy)"
            + " by_group \(item.byGroup.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.score)/\($0.value.ballots)" })"
    }
}
