/// One broken rule, addressed to a request field so the HTTP layer can answer 422.
public struct BallotViolation: Sendable, Hashable, Codable {
    /// The field, e.g. `points.<recommendation_id>`, `points`, `ranking[2]`, `grades.<id>`.
    public var field: String
    /// A sentence for a person.
    public var message: String

    /// A violation.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// A ballot as the API receives it, keyed by recommendation id.
public enum RawBallot: Sendable, Hashable {
    /// dot: `{"points": {"<id>": 3, …}}`
    case points([String: Int])
    /// approval: `{"approve": ["<id>", …]}`
    case approve([String])
    /// score: `{"grades": {"<id>": 0...5, …}}`
    case grades([String: Int])
    /// ranking: `{"ranking": ["<id>", …]}`
    case ranking([String])

    /// The method this form belongs to; its JSON key is `kind.ballotField`.
    public var kind: Method.Kind {
        switch self {
        case .points: .dot
        case .approve: .approval
        case .grades: .score
        case .ranking: .ranking
        }
    }
}

/// The outcome of validating a ballot: violations, or the compact ballot content.
public struct BallotValidation: Sendable, Hashable {
    /// Broken rules, sorted by field; empty when the ballot is valid.
    public var violations: [BallotViolation]
    /// The ballot with candidates as indices into the round's id list; nil when invalid.
    public var content: Ballot.Content?

    /// Whether the ballot may be stored.
    public var isValid: Bool { violations.isEmpty }
}

/// The rules a ballot must follow in its round. Every method needs at least one entry: an
/// empty ballot says nothing (withdrawing is DELETE), and for approval it would silently
/// count as "approve nothing", lowering every share.
public enum BallotRules {
    /// Validates a raw ballot against the round's method and its recommendation ids, in the
    /// round's candidate order (index i in the content = `candidateIDs[i]`).
    public static func validate(_ raw: RawBallot, method: Method, candidateIDs: [String]) -> BallotValidation {
        var index: [String: Int] = [:]
        index.reserveCapacity(candidateIDs.count)
        for (i, id) in candidateIDs.enumerated() where index[id] == nil { index[id] = i }
        var violations: [BallotViolation] = []
        var content: Ballot.Content?

        switch (method, raw) {
        case (.dot(let budget, let maxPerItem), .points(let points)):
            if points.isEmpty {
                violations.append(.init(field: "points", message: "Give at least one point to one recommendation."))
            }
            var marks: [Mark] = []
            var total = 0
            for (id, p) in points.sorted(by: { $0.key < $1.key }) {
                guard let i = index[id] else {
                    violations.append(.init(field: "points.\(id)", message: "This is not a recommendation of this round."))
                    continue
                }
                if p < 1 {
                    violations.append(.init(field: "points.\(id)", message: "Points are whole numbers of at least 1; leave a recommendation out to give it none."))
                } else if p > maxPerItem {
                    violations.append(.init(field: "points.\(id)", message: "At most \(maxPerItem) points may go to one recommendation; this gives \(p)."))
                }
                if p > 0 { total = total.addingReportingOverflow(p).overflow ? Int.max : total + p }
                marks.append(Mark(item: i, value: p))
            }
            if total > budget {
                violations.append(.init(field: "points", message: "This ballot gives \(total) points; the budget is \(budget)."))
            }
            content = .dot(marks.sorted { $0.item < $1.item })

        case (.approval, .approve(let ids)):
            if ids.isEmpty {
                violations.append(.init(field: "approve", message: "Approve at least one recommendation."))
            }
            content = indexedList(ids, field: "approve", index: index, violations: &violations).map { .approval($0.sorted()) }

        case (.score, .grades(let grades)):
            if grades.isEmpty {
                violations.append(.init(field: "grades", message: "Grade at least one recommendation."))
            }
            var marks: [Mark] = []
            for (id, grade) in grades.sorted(by: { $0.key < $1.key }) {
                guard let i = index[id] else {
                    violations.append(.init(field: "grades.\(id)", message: "This is not a recommendation of this round."))
                    continue
                }
                if !Method.grades.contains(grade) {
                    violations.append(.init(field: "grades.\(id)", message: "Grades go from \(Method.grades.lowerBound) (not a priority) to \(Method.grades.upperBound) (top priority); this is \(grade)."))
                }
                marks.append(Mark(item: i, value: grade))
            }
            content = .score(marks.sorted { $0.item < $1.item })

        case (.ranking, .ranking(let ids)):
            if ids.isEmpty {
                violations.append(.init(field: "ranking", message: "Rank at least one recommendation."))
            }
            content = indexedList(ids, field: "ranking", index: index, violations: &violations).map { .ranking($0) }

        default:
            let expected = method.kind.ballotField
            violations.append(.init(field: expected, message: "A \(method.kind.rawValue) round takes a ballot of the form {\"\(expected)\": …}, not {\"\(raw.kind.ballotField)\": …}."))
        }
        violations.sort { ($0.field, $0.message) < ($1.field, $1.message) }
        return BallotValidation(violations: violations, content: violations.isEmpty ? content : nil)
    }

    /// Indices of a list of ids, reporting unknown and repeated ids by list position.
    private static func indexedList(_ ids: [String], field: String, index: [String: Int], violations: inout [BallotViolation]) -> [Int]? {
        var seen: [String: Int] = [:]
        var result: [Int] = []
        for (position, id) in ids.enumerated() {
            guard let i = index[id] else {
                violations.append(.init(field: "\(field)[\(position)]", message: "\(id) is not a recommendation of this round."))
                continue
            }
            if let first = seen[id] {
                violations.append(.init(field: "\(field)[\(position)]", message: "\(id) is already at position \(first); name each recommendation once."))
                continue
            }
            seen[id] = position
            result.append(i)
        }
        return result
    }

    /// Validates a round's method settings (fields as in the round-creation request).
    public static func validate(method: Method) -> [BallotViolation] {
        guard case .dot(let budget, let maxPerItem) = method else { return [] }
        var v: [BallotViolation] = []
        if budget < 1 || budget > 10_000 {
            v.append(.init(field: "points_per_member", message: "The budget is a whole number from 1 to 10000; this is \(budget)."))
        }
        if maxPerItem < 1 || maxPerItem > max(budget, 1) {
            v.append(.init(field: "max_points_per_item", message: "The maximum per recommendation is a whole number from 1 to the budget (\(budget)); this is \(maxPerItem)."))
        }
        return v
    }

    /// Validates a round's balance: custom shares must be finite, ≥ 0, and not all 0.
    public static func validate(balance: Balance) -> [BallotViolation] {
        guard case .custom(let shares) = balance else { return [] }
        var v: [BallotViolation] = []
        for group in StakeholderGroup.allCases {
            guard let share = shares[group] else { continue }
            if !share.isFinite || share < 0 {
                v.append(.init(field: "balance.custom.\(group.rawValue)", message: "A share is a number of at least 0; this is \(share)."))
            }
        }
        if !shares.values.contains(where: { $0.isFinite && $0 > 0 }) {
            v.append(.init(field: "balance.custom", message: "Give at least one stakeholder group a share above 0."))
        }
        return v.sorted { ($0.field, $0.message) < ($1.field, $1.message) }
    }
}
