import WerkstattVoting

/// A member's stance on a thesis (`PUT /v1/theses/{id}/stance`): the one type for it, which
/// the domain calls `StanceValue`. Pass is a stance (the participant saw the thesis) but no
/// opinion, so it counts towards `minStances` and not into the matrix.
public enum Vote: String, CaseIterable, Sendable, Hashable, Codable {
    case agree, disagree, pass

    /// +1 for agree, −1 for disagree, 0 for pass: the value in the stance matrix.
    public var sign: Int8 {
        switch self {
        case .agree: 1
        case .disagree: -1
        case .pass: 0
        }
    }

    /// The stance with this sign; nil for anything but −1, 0 and 1.
    public init?(sign: Int8) {
        switch sign {
        case 1: self = .agree
        case -1: self = .disagree
        case 0: self = .pass
        default: return nil
        }
    }
}

/// Everything the opinion map is computed from (docs/methods.md, "The opinion map").
public struct OpinionInput: Sendable {
    /// One participant's stance on one thesis.
    public struct Stance: Sendable, Hashable {
        public var participant: Int32
        public var thesis: Int32
        public var vote: Vote

        public init(participant: Int32, thesis: Int32, vote: Vote) {
            self.participant = participant
            self.thesis = thesis
            self.vote = vote
        }
    }

    /// Declared stakeholder group of each participant; the index is the participant number used in `stances`.
    public var groups: [StakeholderGroup]
    /// Theses are numbered 0..<thesisCount.
    public var thesisCount: Int
    /// At most one per (participant, thesis), in any order.
    public var stances: [Stance]
    /// Participants with fewer stances (agree, disagree or pass all count) are not placed.
    public var minStances: Int
    /// k, the workshop's `min_group_size`: no figure of the map covers 1…k−1 people.
    public var minGroupSize: Int
    /// Seeds the start vectors, k-means++ and the silhouette sample.
    public var seed: UInt64

    public init(groups: [StakeholderGroup], thesisCount: Int, stances: [Stance], minStances: Int = 7,
                minGroupSize: Int, seed: UInt64 = OpinionMap.defaultSeed) {
        self.groups = groups
        self.thesisCount = thesisCount
        self.stances = stances
        self.minStances = minStances
        self.minGroupSize = minGroupSize
        self.seed = seed
    }
}

/// Input the opinion map refuses; the API checks these before, so one is a bug upstream.
public enum OpinionInputError: Error, Sendable, Hashable {
    case negativeThesisCount(Int)
    case participantOutOfRange(participant: Int32)
    case thesisOutOfRange(thesis: Int32)
    case duplicateStance(participant: Int32, thesis: Int32)
    case minStancesBelowOne(Int)
    case minGroupSizeBelowOne(Int)
}
