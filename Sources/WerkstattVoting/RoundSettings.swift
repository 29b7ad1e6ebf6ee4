/// How a round is voted (one method per round).
public enum Method: Sendable, Hashable {
    /// Cumulative voting: a budget of whole points, at most `maxPointsPerItem` on one item.
    case dot(pointsPerMember: Int, maxPointsPerItem: Int)
    /// Approve any non-empty subset.
    case approval
    /// Grades 0...5 per item, ranked by Majority Judgment.
    case score
    /// An ordered, possibly partial list, ranked by Schulze (winning votes).
    case ranking

    /// The method without its parameters; ballots and digests only need this.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case dot, approval, score, ranking

        /// The one key of a ballot of this method: `{"points": …}`, `{"approve": …}` …
        public var ballotField: String {
            switch self {
            case .dot: "points"
            case .approval: "approve"
            case .score: "grades"
            case .ranking: "ranking"
            }
        }
    }

    /// The method without its parameters.
    public var kind: Kind {
        switch self {
        case .dot: .dot
        case .approval: .approval
        case .score: .score
        case .ranking: .ranking
        }
    }

    /// The grades a score ballot may give ("0 = not a priority" … "5 = top priority").
    public static let grades: ClosedRange<Int> = 0...5

    /// The lowest grade that counts a ballot as a supporter of an item.
    public static let supportingGrade = 3

    /// The budget of a dot round that names none (domain.md).
    public static let defaultPoints = 5

    /// The method of a kind with its parameters; a dot round left without them gets the
    /// domain's defaults: `defaultPoints`, the whole budget allowed on one item. Parameters
    /// of other kinds are ignored (the round's rules refuse them before).
    public init(_ kind: Kind, pointsPerMember: Int? = nil, maxPointsPerItem: Int? = nil) {
        switch kind {
        case .dot:
            let points = pointsPerMember ?? Self.defaultPoints
            self = .dot(pointsPerMember: points, maxPointsPerItem: maxPointsPerItem ?? points)
        case .approval: self = .approval
        case .score: self = .score
        case .ranking: self = .ranking
        }
    }

    /// A dot round with the domain's defaults where a parameter is left out.
    public static func dotDefaults(pointsPerMember: Int = defaultPoints, maxPointsPerItem: Int? = nil) -> Method {
        Method(.dot, pointsPerMember: pointsPerMember, maxPointsPerItem: maxPointsPerItem)
    }
}

/// How ballots of the stakeholder groups are weighed against each other.
public enum Balance: Sendable, Hashable {
    /// Every ballot weighs 1.
    case proportional
    /// Every group that cast ballots gets the same total weight.
    case equal
    /// Shares per group set by the moderator; groups without a share weigh 0.
    case custom([StakeholderGroup: Double])
}

/// One item of a round; its position in `RoundInput.candidates` is its index in ballots.
public struct Candidate: Sendable, Hashable {
    /// The recommendation's code, unique in its workshop; orders ties and the digest.
    public var code: String
    /// The recommendation's id (a UUID string); written into the digest so an export names it.
    public var id: String

    /// A candidate with its code and id.
    public init(code: String, id: String) {
        self.code = code
        self.id = id
    }
}

/// Why a `RoundInput` could not be formed; the worker logs it rather than crashing.
public enum RoundInputError: Error, Sendable, Hashable {
    /// The ballots were collected for another method.
    case methodMismatch(expected: Method.Kind, got: Method.Kind)
    /// A ballot names a candidate index outside `0..<candidates.count`.
    case unknownCandidate(ballot: Int, item: Int)
    /// A ballot names the same candidate twice.
    case duplicateCandidate(ballot: Int, item: Int)
    /// A point or grade outside what the method allows (points ≥ 1, grades 0...5).
    case valueOutOfRange(ballot: Int, item: Int, value: Int)
    /// Too many candidates for the compact ballot storage (at most 65 536).
    case tooManyCandidates(Int)
    /// A negative number of bootstrap samples.
    case invalidBootstrapSamples(Int)
    /// A minimum group size below 1.
    case invalidMinGroupSize(Int)
}

/// Everything a tally depends on; the digest is computed from exactly this.
public struct RoundInput: Sendable {
    /// The round's method.
    public let method: Method
    /// The round's stakeholder balance.
    public let balance: Balance
    /// The items voted on; ballots refer to them by position.
    public let candidates: [Candidate]
    /// The ballots, in any order (the tally canonicalises the order).
    public let ballots: BallotSet
    /// Seed of the bootstrap, so a snapshot can be recomputed bit for bit.
    public let seed: UInt64
    /// Bootstrap resamples for the rank interval; 0 gives intervals of width zero.
    public let bootstrapSamples: Int
    /// k: per-group figures are shown only as `Disclosure` allows; 1 shows every group.
    public let minGroupSize: Int

    /// The default number of bootstrap resamples.
    public static let defaultBootstrapSamples = 200

    /// Checks the structure the tally relies on (indices, duplicates, value ranges);
    /// budgets are the validator's business, because a tally can count an over-budget ballot.
    public init(
        method: Method,
        balance: Balance = .proportional,
        candidates: [Candidate],
        ballots: BallotSet,
        seed: UInt64 = 0,
        bootstrapSamples: Int = RoundInput.defaultBootstrapSamples,
        minGroupSize: Int = 1
    ) throws(RoundInputError) {
        guard ballots.kind == method.kind else {
            throw .methodMismatch(expected: method.kind, got: ballots.kind)
        }
        guard candidates.count <= Int(UInt16.max) + 1 else { throw .tooManyCandidates(candidates.count) }
        guard bootstrapSamples >= 0 else { throw .invalidBootstrapSamples(bootstrapSamples) }
        guard minGroupSize >= 1 else { throw .invalidMinGroupSize(minGroupSize) }
        try ballots.checkStructure(candidateCount: candidates.count)
        self.method = method
        self.balance = balance
        self.candidates = candidates
        self.ballots = ballots
        self.seed = seed
        self.bootstrapSamples = bootstrapSamples
        self.minGroupSize = minGroupSize
    }
}
