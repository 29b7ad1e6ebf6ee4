import Testing
@testable import WerkstattVoting

/// Candidates with the given codes and ids "id-<code>".
func candidates(_ codes: [String]) -> [Candidate] {
    codes.map { Candidate(code: $0, id: "id-\($0)") }
}

/// A round over `codes` with ballots given by code.
func makeRound(
    _ method: Method, _ balance: Balance = .proportional, codes: [String],
    ballots: [Ballot], samples: Int = 0, seed: UInt64 = 1
) throws -> RoundInput {
    try RoundInput(
        method: method, balance: balance, candidates: candidates(codes),
        ballots: BallotSet(kind: method.kind, ballots), seed: seed, bootstrapSamples: samples)
}

/// Builds ballots from codes instead of indices.
struct BallotBuilder {
    let codes: [String]
    func index(_ code: String) -> Int { codes.firstIndex(of: code)! }
    func dot(_ group: StakeholderGroup, _ points: [(String, Int)]) -> Ballot {
        Ballot(group: group, content: .dot(points.map { Mark(item: index($0.0), value: $0.1) }))
    }
    func approval(_ group: StakeholderGroup, _ items: [String]) -> Ballot {
        Ballot(group: group, content: .approval(items.map(index)))
    }
    func score(_ group: StakeholderGroup, _ grades: [(String, Int)]) -> Ballot {
        Ballot(group: group, content: .score(grades.map { Mark(item: index($0.0), value: $0.1) }))
    }
    func ranking(_ group: StakeholderGroup, _ items: [String]) -> Ballot {
        Ballot(group: group, content: .ranking(items.map(index)))
    }
    /// A ranking written as "A>C>B".
    func ranking(_ group: StakeholderGroup, _ text: String) -> Ballot {
        ranking(group, text.split(separator: ">").map(String.init))
    }
}

extension RoundResult {
    /// The item with a code.
    func item(_ code: String) -> ItemResult { items.first { $0.code == code }! }
    /// Codes in listing order.
    var codes: [String] { items.map(\.code) }
    /// Ranks in listing order.
    var ranks: [Int] { items.map(\.rank) }
}

/// Whether two doubles agree to within `eps`.
func close(_ a: Double?, _ b: Double, eps: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= eps
}
