/// An (item, value) pair: points on a dot ballot, a grade on a score ballot.
public struct Mark: Sendable, Hashable {
    /// Candidate index in the round.
    public var item: Int
    /// Points (dot) or grade (score).
    public var value: Int

    /// A mark for one item.
    public init(item: Int, value: Int) {
        self.item = item
        self.value = value
    }
}

/// One member's ballot in one round, with candidates as indices into the round's list.
public struct Ballot: Sendable, Hashable {
    /// An opaque reference of the caller (e.g. a ballot sequence number, never a person's id);
    /// it is carried along but is neither counted nor part of the digest, so that an export
    /// cannot be linked back to ballots and two identical rounds have the same digest.
    public var key: UInt64
    /// The voter's stakeholder group (their own, else their organisation's, else `other`).
    public var group: StakeholderGroup
    /// What the ballot says, in the form of the round's method.
    public var content: Content

    /// The content of a ballot per method.
    public enum Content: Sendable, Hashable {
        /// Points per item (each ≥ 1).
        case dot([Mark])
        /// The approved items.
        case approval([Int])
        /// Grades 0...5 per graded item; ungraded items are absent.
        case score([Mark])
        /// Items from most to least preferred; unlisted items tie below all listed.
        case ranking([Int])

        /// The method this content belongs to.
        public var kind: Method.Kind {
            switch self {
            case .dot: .dot
            case .approval: .approval
            case .score: .score
            case .ranking: .ranking
            }
        }
    }

    /// A ballot.
    public init(key: UInt64 = 0, group: StakeholderGroup, content: Content) {
        self.key = key
        self.group = group
        self.content = content
    }
}

/// Ballots of one round in flat, contiguous storage: a million ballots are a handful of
/// arrays rather than a million heap objects, so tallying streams through memory.
///
/// Entries of dot, approval and score ballots are kept sorted by item (their order carries
/// no meaning); ranking entries keep the voter's order.
public struct BallotSet: Sendable, Hashable {
    /// The method the ballots were cast for.
    public let kind: Method.Kind
    @usableFromInline var keys: [UInt64] = []
    @usableFromInline var groups: [UInt8] = []
    /// `offsets[b] ..< offsets[b + 1]` are ballot b's entries; one more element than ballots.
    @usableFromInline var offsets: [UInt32] = [0]
    @usableFromInline var items: [UInt16] = []
    /// Points or grades, parallel to `items`; empty for approval and ranking.
    @usableFromInline var values: [UInt16] = []

    /// An empty set for one method; reserving avoids regrowth when the size is known.
    public init(kind: Method.Kind, reservingBallots ballots: Int = 0, entries: Int = 0) {
        self.kind = kind
        if ballots > 0 {
            keys.reserveCapacity(ballots)
            groups.reserveCapacity(ballots)
            offsets.reserveCapacity(ballots + 1)
        }
        if entries > 0 {
            items.reserveCapacity(entries)
            if kind.hasValues { values.reserveCapacity(entries) }
        }
    }

    /// A set holding these ballots; every ballot must be of `kind`.
    public init(kind: Method.Kind, _ ballots: some Sequence<Ballot>) {
        self.init(kind: kind)
        for ballot in ballots { append(ballot) }
    }

    /// Number of committed ballots.
    @inlinable public var count: Int { groups.count }

    /// Number of entries (marks or listed items) over all committed ballots.
    @inlinable public var entryCount: Int { Int(offsets[offsets.count - 1]) }

    /// Appends a ballot; its content must be of the set's method.
    public mutating func append(_ ballot: Ballot) {
        precondition(ballot.content.kind == kind, "a \(ballot.content.kind) ballot in a \(kind) set")
        switch ballot.content {
        case .dot(let marks), .score(let marks):
            for mark in marks { addEntry(item: mark.item, value: mark.value) }
        case .approval(let list), .ranking(let list):
            for item in list { addEntry(item: item) }
        }
        commitBallot(key: ballot.key, group: ballot.group)
    }

    /// Adds one entry to the ballot being built; `commitBallot` closes it. This is the
    /// allocation-free way to load many ballots.
    @inlinable public mutating func addEntry(item: Int, value: Int = 0) {
        precondition(item >= 0 && item <= Int(UInt16.max), "candidate index out of range")
        items.append(UInt16(truncatingIfNeeded: item))
        if kind.hasValues {
            precondition(value >= 0 && value <= Int(UInt16.max), "value out of range")
            values.append(UInt16(truncatingIfNeeded: value))
        }
    }

    /// Closes the ballot built by `addEntry` calls.
    public mutating func commitBallot(key: UInt64 = 0, group: StakeholderGroup) {
        let start = Int(offsets[offsets.count - 1])
        precondition(items.count <= Int(UInt32.max), "too many entries")
        if kind != .ranking { sortPendingEntries(from: start) }
        keys.append(key)
        groups.append(UInt8(group.ordinal))
        offsets.append(UInt32(items.count))
    }

    /// Insertion sort by item: ballots hold a handful of entries, so this beats a general sort.
    private mutating func sortPendingEntries(from start: Int) {
        let end = items.count
        guard end - start > 1 else { return }
        let withValues = kind.hasValues
        for i in (start + 1)..<end {
            let item = items[i]
            let value = withValues ? values[i] : 0
            var j = i
            while j > start && items[j - 1] > item {
                items[j] = items[j - 1]
                if withValues { values[j] = values[j - 1] }
                j -= 1
            }
            items[j] = item
            if withValues { values[j] = value }
        }
    }

    /// The ballot at a position (in the order appended).
    public subscript(position: Int) -> Ballot {
        let range = Int(offsets[position])..<Int(offsets[position + 1])
        let group = StakeholderGroup(ordinal: Int(groups[position]))!
        let content: Ballot.Content
        switch kind {
        case .dot: content = .dot(range.map { Mark(item: Int(items[$0]), value: Int(values[$0])) })
        case .score: content = .score(range.map { Mark(item: Int(items[$0]), value: Int(values[$0])) })
        case .approval: content = .approval(range.map { Int(items[$0]) })
        case .ranking: content = .ranking(range.map { Int(items[$0]) })
        }
        return Ballot(key: keys[position], group: group, content: content)
    }

    /// Ballots per stakeholder group (groups without ballots are absent).
    public func ballotsPerGroup() -> [StakeholderGroup: Int] {
        var counts = [Int](repeating: 0, count: StakeholderGroup.count)
        for g in groups { counts[Int(g)] += 1 }
        var result: [StakeholderGroup: Int] = [:]
        for (ordinal, c) in counts.enumerated() where c > 0 { result[StakeholderGroup(ordinal: ordinal)!] = c }
        return result
    }

    /// Verifies what the tally relies on: indices in range, no item twice, values in range.
    func checkStructure(candidateCount n: Int) throws(RoundInputError) {
        // A stamp per candidate finds duplicates in O(entries) for any ballot length.
        var stamp = [Int](repeating: -1, count: max(n, 1))
        for b in 0..<count {
            for e in Int(offsets[b])..<Int(offsets[b + 1]) {
                let item = Int(items[e])
                guard item < n else { throw .unknownCandidate(ballot: b, item: item) }
                guard stamp[item] != b else { throw .duplicateCandidate(ballot: b, item: item) }
                stamp[item] = b
                switch kind {
                case .dot:
                    guard values[e] >= 1 else { throw .valueOutOfRange(ballot: b, item: item, value: Int(values[e])) }
                case .score:
                    guard Method.grades.contains(Int(values[e])) else {
                        throw .valueOutOfRange(ballot: b, item: item, value: Int(values[e]))
                    }
                case .approval, .ranking:
                    break
                }
            }
        }
    }
}

extension Method.Kind {
    /// Whether ballots of this kind carry a number per entry (points or grades).
    @inlinable public var hasValues: Bool { self == .dot || self == .score }
}
