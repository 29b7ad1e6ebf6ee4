/// Why a canonical text could not be read; `line` counts from 1.
public struct CanonicalTextError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public var description: String { "line \(line): \(reason)" }
}

extension Digest {
    /// The most bootstrap samples a canonical text may ask for (`recommendedSamples` never
    /// gives more than 200).
    static let maxVerifiedSamples = 10_000

    /// Reads a canonical form (`werkstatt-tally/2`, as `canonicalForm` writes it) back into
    /// the round input it describes, so an auditor can recompute digest and ranking.
    /// Strict: anything `canonicalForm` would not write is refused, so a text that parses
    /// is one that hashes the same when written again.
    public static func parse(canonical text: String) throws(CanonicalTextError) -> RoundInput {
        var reader = Reader(Array(text.utf8))
        let version = try reader.line()
        guard version == formatVersion else {
            throw reader.error("the format is '\(version)'; this version of werkstatt reads \(formatVersion)")
        }
        let methodWords = try reader.words("method")
        let method: Method
        switch methodWords.first {
        case "dot" where methodWords.count == 3:
            method = .dot(pointsPerMember: try reader.number(methodWords[1]), maxPointsPerItem: try reader.number(methodWords[2]))
        case "approval" where methodWords.count == 1: method = .approval
        case "score" where methodWords.count == 1: method = .score
        case "ranking" where methodWords.count == 1: method = .ranking
        default: throw reader.error("unknown method '\(methodWords.joined(separator: " "))'")
        }
        let balanceWords = try reader.words("balance")
        let balance: Balance
        switch balanceWords.first {
        case "proportional" where balanceWords.count == 1: balance = .proportional
        case "equal" where balanceWords.count == 1: balance = .equal
        case "custom":
            var shares: [StakeholderGroup: Double] = [:]
            for word in balanceWords.dropFirst() {
                let parts = word.split(separator: "=", omittingEmptySubsequences: false)
                guard parts.count == 2, let group = StakeholderGroup(rawValue: String(parts[0])),
                      let share = Double(String(parts[1])), share.isFinite, share > 0 else {
                    throw reader.error("'\(word)' is not <group>=<share>")
                }
                shares[group] = share
            }
            balance = .custom(shares)
        default: throw reader.error("unknown balance '\(balanceWords.joined(separator: " "))'")
        }
        let k = try reader.number(try reader.single("min_group_size"))
        let bootstrap = try reader.words("bootstrap")
        guard bootstrap.count == 2, let seed = UInt64(bootstrap[1]) else { throw reader.error("expected 'bootstrap <samples> <seed>'") }
        let samples = try reader.number(bootstrap[0])
        // Counts are bounded by what a text of this size can hold, so a doctored file can
        // neither exhaust memory nor keep `werkstatt verify` busy for ever.
        guard samples <= Self.maxVerifiedSamples else {
            throw reader.error("more than \(Self.maxVerifiedSamples) bootstrap samples; no count of this server has that many")
        }
        let n = try reader.number(try reader.single("candidates"))
        guard n <= reader.bytes.count else { throw reader.error("more candidates than the text has bytes") }
        var candidates: [Candidate] = []
        for _ in 0..<n {
            let code = try reader.counted()
            try reader.expect(0x20)
            let id = try reader.counted()
            try reader.expect(0x0A)
            candidates.append(Candidate(code: code, id: id))
        }
        let count = try reader.number(try reader.single("ballots"))
        guard count <= reader.bytes.count else { throw reader.error("more ballots than the text has bytes") }
        var ballots = BallotSet(kind: method.kind, reservingBallots: count)
        for _ in 0..<count {
            let words = try reader.line().split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard let group = words.first.flatMap(StakeholderGroup.init(rawValue:)) else {
                throw reader.error("a ballot line starts with its stakeholder group")
            }
            for word in words.dropFirst() {
                if method.kind.hasValues {
                    let parts = word.split(separator: ":", omittingEmptySubsequences: false)
                    guard parts.count == 2 else { throw reader.error("'\(word)' is not <item>:<value>") }
                    ballots.addEntry(item: try reader.index(String(parts[0]), below: n), value: try reader.number(String(parts[1])))
                } else {
                    ballots.addEntry(item: try reader.index(word, below: n))
                }
            }
            ballots.commitBallot(group: group)
        }
        guard reader.atEnd else { throw reader.error("text after the last ballot") }
        let input: RoundInput
        do {
            input = try RoundInput(method: method, balance: balance, candidates: candidates, ballots: ballots,
                                   seed: seed, bootstrapSamples: samples, minGroupSize: k)
        } catch {
            throw CanonicalTextError(line: reader.lineNumber, reason: "the ballots break the round's structure: \(error)")
        }
        // Only a text in canonical order and form is canonical.
        guard canonicalForm(input) == text else {
            throw CanonicalTextError(line: 0, reason: "the text is not in canonical form (order, spacing or number format)")
        }
        return input
    }

    /// A cursor over the text's bytes.
    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var lineNumber = 1

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { at == bytes.count }

        func error(_ reason: String) -> CanonicalTextError { CanonicalTextError(line: lineNumber, reason: reason) }

        mutating func line() throws(CanonicalTextError) -> String {
            guard let end = bytes[at...].firstIndex(of: 0x0A) else { throw error("the line does not end in a line feed") }
            let text = String(decoding: bytes[at..<end], as: UTF8.self)
            at = end + 1
            lineNumber += 1
            return text
        }

        /// The words after `keyword` on the next line.
        mutating func words(_ keyword: String) throws(CanonicalTextError) -> [String] {
            let words = try line().split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard words.first == keyword, words.count > 1 else {
                lineNumber -= 1
                throw error("expected a line '\(keyword) …'")
            }
            return Array(words.dropFirst())
        }

        mutating func single(_ keyword: String) throws(CanonicalTextError) -> String {
            let words = try words(keyword)
            guard words.count == 1 else { throw error("expected '\(keyword) <number>'") }
            return words[0]
        }

        func number(_ text: String) throws(CanonicalTextError) -> Int {
            guard let value = Int(text), value >= 0 else { throw error("'\(text)' is not a whole number") }
            return value
        }

        func index(_ text: String, below n: Int) throws(CanonicalTextError) -> Int {
            let value = try number(text)
            guard value < n else { throw error("item \(value) is not one of the \(n) candidates") }
            return value
        }

        /// `<bytes>:<text>`, the length-prefixed form of codes and ids.
        mutating func counted() throws(CanonicalTextError) -> String {
            guard let colon = bytes[at...].firstIndex(of: 0x3A),
                  let length = Int(String(decoding: bytes[at..<colon], as: UTF8.self)),
                  length >= 0, colon + 1 + length <= bytes.count else {
                throw error("expected <bytes>:<text>")
            }
            let text = String(decoding: bytes[(colon + 1)..<(colon + 1 + length)], as: UTF8.self)
            lineNumber += text.utf8.filter { $0 == 0x0A }.count
            at = colon + 1 + length
            return text
        }

        mutating func expect(_ byte: UInt8) throws(CanonicalTextError) {
            guard at < bytes.count, bytes[at] == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
            at += 1
            if byte == 0x0A { lineNumber += 1 }
        }
    }
}
