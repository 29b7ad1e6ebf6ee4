import Foundation
import WerkstattVoting

/// The body of `PUT /v1/rounds/{round_id}/ballot`, and a ballot as stored and shown back to
/// its member: the forms a client sent, each under its method's key (`ballotField`). A
/// ballot holds exactly one, its round's; `Round.admit` checks that with the rest.
public struct BallotBody: Codable, Sendable, Equatable {
    /// The forms present, in the order of `VotingMethod.allCases`.
    public var forms: [RawBallot]

    public init(_ forms: RawBallot...) {
        self.forms = forms
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        init(_ kind: VotingMethod) { stringValue = kind.ballotField }
    }

    /// Reads points and grades as numbers first, so that `1.5` is reported at its field
    /// ("points.<id>") rather than as unreadable JSON.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        forms = try VotingMethod.allCases.compactMap { kind in
            let key = Key(kind)
            switch kind {
            case .dot: return try Self.wholeNumbers(in: container, at: key).map(RawBallot.points)
            case .approval: return try container.decodeIfPresent([String].self, forKey: key).map(RawBallot.approve)
            case .score: return try Self.wholeNumbers(in: container, at: key).map(RawBallot.grades)
            case .ranking: return try container.decodeIfPresent([String].self, forKey: key).map(RawBallot.ranking)
            }
        }
    }

    private static func wholeNumbers(in container: KeyedDecodingContainer<Key>, at key: Key) throws -> [String: Int]? {
        guard let numbers = try container.decodeIfPresent([String: Double].self, forKey: key) else { return nil }
        var result: [String: Int] = [:]
        for (id, number) in numbers {
            guard number.rounded() == number, abs(number) <= 1_000_000 else {
                throw DecodingError.typeMismatch(Int.self, .init(
                    codingPath: container.codingPath + [key, Key(stringValue: id)],
                    debugDescription: "not a whole number"))
            }
            result[id] = Int(number)
        }
        return result
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for form in forms {
            switch form {
            case .points(let numbers), .grades(let numbers): try container.encode(numbers, forKey: Key(form.kind))
            case .approve(let ids), .ranking(let ids): try container.encode(ids, forKey: Key(form.kind))
            }
        }
    }

    /// The one form of the method: a key of another method, or none, breaks the ballot.
    fileprivate func form(for method: VotingMethod) throws(BallotRejected) -> RawBallot {
        let strangers = forms.filter { $0.kind != method }.map {
            FieldError($0.kind.ballotField, "is not part of a ballot in a \(method.rawValue) round; send '\(method.ballotField)'")
        }
        guard let form = forms.first(where: { $0.kind == method }) else {
            throw BallotRejected(strangers + [FieldError(method.ballotField, "is required in a \(method.rawValue) round")])
        }
        guard strangers.isEmpty else { throw BallotRejected(strangers) }
        return form
    }
}

/// A ballot that its round's rule admitted. Only `Round.admit` makes one, so the store is
/// never handed a ballot that skipped part of the rule, nor entries that disagree with it.
public struct AdmittedBallot: Sendable, Equatable {
    /// The round it was admitted to; `entries` are positions among its items.
    public let round: UUID
    /// The ballot as stored and shown back to its member, its ids written as this server
    /// writes them.
    public let body: BallotBody
    /// The compact form the worker counts: `[item, value, …]` for dot and score,
    /// `[item, …]` for approval and ranking.
    public let entries: [Int32]

    fileprivate init(round: UUID, body: BallotBody, entries: [Int32]) {
        self.round = round; self.body = body; self.entries = entries
    }
}

/// Why a ballot was not admitted: one entry per broken rule (the API answers 422).
public struct BallotRejected: Error, Sendable, Equatable {
    public var violations: [FieldError]

    public init(_ violations: [FieldError]) {
        self.violations = violations
    }
}

extension Round {
    /// The ballot rule, whole: the key of the round's method and no other; ids compared
    /// regardless of letter case; then `BallotRules` against the round's items and method.
    /// The API and the demo both cast through it.
    public func admit(_ body: BallotBody) throws(BallotRejected) -> AdmittedBallot {
        let (ballot, caseDuplicates) = try body.form(for: method).normalisingIds()
        guard caseDuplicates.isEmpty else { throw BallotRejected(caseDuplicates) }
        let validation = BallotRules.validate(ballot, method: votingMethod, candidateIDs: recommendationIds.map(\.text))
        guard let content = validation.content else {
            throw BallotRejected(validation.violations.map { FieldError($0.field, $0.message) })
        }
        return AdmittedBallot(round: id, body: BallotBody(ballot), entries: content.entries)
    }
}

extension RawBallot {
    /// The same ballot with every recommendation id written as this server writes UUIDs,
    /// so that lower-case ids from clients match; ids that differ only in letter case name
    /// the same recommendation twice and are reported, never added up. (Lists with such
    /// repeats are left to `BallotRules`, which reports any repeated id.)
    fileprivate func normalisingIds() -> (ballot: RawBallot, violations: [FieldError]) {
        func id(_ text: String) -> String { UUID(uuidString: text)?.text ?? text }
        var violations: [FieldError] = []
        func keyed(_ map: [String: Int]) -> [String: Int] {
            var result: [String: Int] = [:]
            for (key, value) in map.sorted(by: { $0.key < $1.key }) {
                let normal = id(key)
                if result[normal] != nil {
                    violations.append(FieldError("\(kind.ballotField).\(key)", "names the same recommendation as another key (ids are compared regardless of letter case); name each recommendation once"))
                } else {
                    result[normal] = value
                }
            }
            return result
        }
        let ballot: RawBallot = switch self {
        case .points(let points): .points(keyed(points))
        case .approve(let ids): .approve(ids.map(id))
        case .grades(let grades): .grades(keyed(grades))
        case .ranking(let ids): .ranking(ids.map(id))
        }
        return (ballot, violations)
    }
}

extension Ballot.Content {
    /// The compact form stored beside each ballot for the worker (items are round positions).
    fileprivate var entries: [Int32] {
        switch self {
        case .dot(let marks), .score(let marks): marks.flatMap { [Int32($0.item), Int32($0.value)] }
        case .approval(let items), .ranking(let items): items.map(Int32.init)
        }
    }
}
