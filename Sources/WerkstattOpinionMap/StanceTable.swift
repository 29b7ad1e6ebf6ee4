/// Every stance, grouped by participant and sorted by thesis within a participant: the
/// one copy of the input the computation reads. Checking the input falls out of building
/// it (a duplicate is two equal theses side by side in a sorted row).
struct StanceTable {
    let participants: Int
    let theses: Int
    /// Row i is `entries[rowStart[i]..<rowStart[i + 1]]`.
    let rowStart: [Int]
    /// Thesis and vote packed in one word (`thesis << 2 | vote + 1`), so a row sorts as one array.
    let entries: [UInt64]

    init(_ input: OpinionInput) throws(OpinionInputError) {
        guard input.thesisCount >= 0 else { throw .negativeThesisCount(input.thesisCount) }
        participants = input.groups.count
        theses = input.thesisCount
        var start = [Int](repeating: 0, count: participants + 1)
        for s in input.stances {
            guard s.participant >= 0, Int(s.participant) < participants else {
                throw .participantOutOfRange(participant: s.participant)
            }
            guard s.thesis >= 0, Int(s.thesis) < theses else { throw .thesisOutOfRange(thesis: s.thesis) }
            start[Int(s.participant) + 1] += 1
        }
        for i in 0..<participants { start[i + 1] += start[i] }
        // Counting sort by participant, then a small sort per row.
        var next = start
        var entries = [UInt64](repeating: 0, count: input.stances.count)
        for s in input.stances {
            let p = Int(s.participant)
            entries[next[p]] = UInt64(s.thesis) << 2 | UInt64(s.vote.sign + 1)
            next[p] += 1
        }
        for i in 0..<participants where start[i + 1] - start[i] > 1 {
            entries[start[i]..<start[i + 1]].sort()
            for e in (start[i] + 1)..<start[i + 1] where entries[e] >> 2 == entries[e - 1] >> 2 {
                throw .duplicateStance(participant: Int32(i), thesis: Int32(entries[e] >> 2))
            }
        }
        rowStart = start
        self.entries = entries
    }

    /// Stances of any kind the participant took.
    func count(of participant: Int) -> Int { rowStart[participant + 1] - rowStart[participant] }

    static func thesis(_ entry: UInt64) -> Int { Int(entry >> 2) }
    /// −1, 0 or +1.
    static func vote(_ entry: UInt64) -> Int { Int(entry & 3) - 1 }
}
