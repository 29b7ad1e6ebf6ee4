import Foundation
import WerkstattDomain
import WerkstattVoting

/// The items of a snapshot, as `GET /v1/rounds/{round_id}/ranking` shows them.
enum SnapshotItems {
    static func make(_ result: RoundResult, titles: [String: String]) throws -> String {
        let items = result.items.map { item in
            RankingItem(
                rank: item.rank, recommendationId: UUID(uuidString: item.id)!, code: item.code,
                title: titles[item.id] ?? "", score: item.score, supporters: item.supporters,
                rankInterval: [item.rankInterval.lo, item.rankInterval.hi],
                consensus: item.consensus, controversy: item.controversy,
                byGroup: Dictionary(uniqueKeysWithValues: item.byGroup.map {
                    ($0.key.rawValue, RankingItem.GroupScore(score: $0.value.score, ballots: $0.value.ballots))
                }),
                meanGrade: item.meanGrade, medianGrade: item.medianGrade, borda: item.borda,
                schulzeWins: item.schulzeWins)
        }
        return String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
    }
}
