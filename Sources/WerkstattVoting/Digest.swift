import Crypto

/// SHA-256 of a round's canonical form, so anyone can recompute a ranking from an export.
///
/// The canonical form is UTF-8 text, one record per line ("\n"), numbers in decimal:
///
///     werkstatt-tally/2
///     method dot 5 3                      (dot: points per member, max per item) | approval | score | ranking
///     balance proportional                | equal | custom <group>=<share> …
///     min_group_size <k>
///     bootstrap <samples> <seed>
///     candidates <n>
///     <bytes>:<code> <bytes>:<id>         n lines, sorted by code then id (UTF-8 bytes)
///     ballots <N>
///     <group> <item>:<value> …            dot and score (items ascending)
///     <group> <item> …                    approval (ascending) and ranking (the voter's order)
///
/// Items are positions in the sorted candidate list. Ballot lines are sorted by group (in the
/// order industry, science, association, union, politics, administration, civil_society,
/// other), then by their entries compared as (item, value) pairs, a prefix first. Custom
/// shares list the groups with a positive finite share, in that group order, in Swift's
/// shortest round-trip decimal form (e.g. 0.25, 1.0, 1e-05). Ballot keys are not part of it:
/// the digest is a function of the multiset of ballots, never of who voted or when.
///
/// Version 2 (this one) added `min_group_size`, which also decides the counting units:
/// groups under k weigh together and the bootstrap resamples within each unit; version 1
/// had neither. docs/methods.md describes both.
public enum Digest {
    /// First line of the canonical form; changes whenever the form or a counting rule does.
    public static let formatVersion = "werkstatt-tally/2"

    /// Hex SHA-256 of the canonical form of `input`.
    public static func sha256Hex(_ input: RoundInput) -> String {
        sha256Hex(input, canonical: CanonicalRound(input))
    }

    /// The canonical form as text (for exports, tests and documentation; big rounds should
    /// only be hashed).
    public static func canonicalForm(_ input: RoundInput) -> String {
        var sink = Sink(hashing: false)
        write(input, canonical: CanonicalRound(input), to: &sink)
        sink.flush()
        return String(decoding: sink.collected, as: UTF8.self)
    }

    static func sha256Hex(_ input: RoundInput, canonical: CanonicalRound) -> String {
        var sink = Sink(hashing: true)
        write(input, canonical: canonical, to: &sink)
        sink.flush()
        let digest = sink.hasher.finalize()
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ input: RoundInput, canonical: CanonicalRound, to sink: inout Sink) {
        sink.line(formatVersion)
        switch input.method {
        case .dot(let points, let maxPerItem):
            sink.text("method dot "); sink.int(points); sink.byte(0x20); sink.int(maxPerItem); sink.byte(0x0A)
        case .approval: sink.line("method approval")
        case .score: sink.line("method score")
        case .ranking: sink.line("method ranking")
        }
        switch input.balance {
        case .proportional: sink.line("balance proportional")
        case .equal: sink.line("balance equal")
        case .custom(let shares):
            sink.text("balance custom")
            for group in StakeholderGroup.allCases {
                guard let share = shares[group], share.isFinite, share > 0 else { continue }
                sink.byte(0x20); sink.text(group.rawValue); sink.byte(0x3D); sink.text(share.description)
            }
            sink.byte(0x0A)
        }
        sink.text("min_group_size "); sink.int(input.minGroupSize); sink.byte(0x0A)
        sink.text("bootstrap "); sink.int(input.bootstrapSamples); sink.byte(0x20); sink.uint(input.seed); sink.byte(0x0A)
        sink.text("candidates "); sink.int(canonical.candidates.count); sink.byte(0x0A)
        for c in canonical.candidates {
            sink.int(c.code.utf8.count); sink.byte(0x3A); sink.text(c.code); sink.byte(0x20)
            sink.int(c.id.utf8.count); sink.byte(0x3A); sink.text(c.id); sink.byte(0x0A)
        }
        let set = canonical.ballots
        sink.text("ballots "); sink.int(set.count); sink.byte(0x0A)
        let groupNames = StakeholderGroup.allCases.map { Array($0.rawValue.utf8) }
        let withValues = set.kind.hasValues
        for b in 0..<set.count {
            sink.bytes(groupNames[Int(set.groups[b])])
            for e in Int(set.offsets[b])..<Int(set.offsets[b + 1]) {
                sink.byte(0x20)
                sink.int(Int(set.items[e]))
                if withValues { sink.byte(0x3A); sink.int(Int(set.values[e])) }
            }
            sink.byte(0x0A)
        }
    }

    /// Buffers bytes and feeds them to SHA-256 (or keeps them) in 64 KiB chunks.
    struct Sink {
        var buffer: [UInt8] = []
        var hasher = SHA256()
        var collected: [UInt8] = []
        let hashing: Bool
        static let chunk = 1 << 16

        init(hashing: Bool) {
            self.hashing = hashing
            buffer.reserveCapacity(Self.chunk + 64)
        }

        mutating func flush() {
            if hashing {
                buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            } else {
                collected.append(contentsOf: buffer)
            }
            buffer.removeAll(keepingCapacity: true)
        }

        @inline(__always) mutating func byte(_ b: UInt8) {
            buffer.append(b)
            if buffer.count >= Self.chunk { flush() }
        }

        mutating func bytes(_ b: [UInt8]) {
            buffer.append(contentsOf: b)
            if buffer.count >= Self.chunk { flush() }
        }

        mutating func text(_ s: String) {
            var s = s
            s.withUTF8 { buffer.append(contentsOf: $0) }
            if buffer.count >= Self.chunk { flush() }
        }

        mutating func line(_ s: String) {
            text(s)
            byte(0x0A)
        }

        @inline(__always) mutating func int(_ v: Int) {
            if v < 0 {
                byte(0x2D)
                uint(UInt64(v.magnitude))
            } else if v < 10 {
                byte(0x30 + UInt8(v))
            } else {
                uint(UInt64(v))
            }
        }

        mutating func uint(_ v: UInt64) {
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            var x = v
            withUnsafeMutableBytes(of: &digits) { d in
                repeat {
                    d[19 - count] = 0x30 + UInt8(x % 10)
                    x /= 10
                    count += 1
                } while x > 0
                buffer.append(contentsOf: d[(20 - count)..<20])
            }
            if buffer.count >= Self.chunk { flush() }
        }
    }
}
