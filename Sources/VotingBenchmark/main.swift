// VotingBenchmark: `swift run -c release VotingBenchmark [--sizes 10000,100000,1000000]`
//                   `swift run -c release VotingBenchmark --cap [--cap-ballots 1000,10000]`
//
// Each (method, size) runs in a child process of this executable (`--one METHOD N`), because
// the peak resident memory (VmHWM) only ever grows: a fresh process per row measures that
// row alone. Ballot generation is timed apart from the tally, and the bootstrap apart from
// the core count, because it costs O(ballots) per resample and dominates big rounds.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BenchmarkSupport
import WerkstattDomain
import WerkstattVoting

// MARK: - Small helpers

func withThousands(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}

// MARK: - Ballot generation (seeded, realistic shapes)

let candidateCount = 50

/// Groups as in a typical workshop: industry-heavy, some of everyone.
let groupShares: [(StakeholderGroup, Double)] = [
    (.industry, 0.30), (.science, 0.15), (.association, 0.12), (.union, 0.10),
    (.politics, 0.08), (.administration, 0.10), (.civilSociety, 0.10), (.other, 0.05),
]

struct Generator {
    var rng: Xoshiro256StarStar
    let cumulative: [Double]   // popularity of the candidates, cumulative
    let quality: [Double]      // mean grade of each candidate
    var stamp: [Int]
    var ballot = 0

    init(seed: UInt64) {
        rng = Xoshiro256StarStar(seed: seed)
        var c: [Double] = []
        var total = 0.0
        for i in 0..<candidateCount {
            total += 1 / pow(Double(i + 1), 0.8)   // Zipf-like popularity
            c.append(total)
        }
        cumulative = c.map { $0 / total }
        quality = (0..<candidateCount).map { 4.5 - 3.5 * Double($0) / Double(candidateCount - 1) }
        stamp = [Int](repeating: -1, count: candidateCount)
    }

    mutating func uniform() -> Double { Double(rng.next() >> 11) * 0x1.0p-53 }
    mutating func below(_ n: Int) -> Int { Int(rng.next(below: UInt64(n))) }

    mutating func group() -> StakeholderGroup {
        var u = uniform()
        for (g, s) in groupShares {
            if u < s { return g }
            u -= s
        }
        return .other
    }

    /// A popular-biased candidate not yet on this ballot.
    mutating func popularNew() -> Int {
        while true {
            let u = uniform()
            var lo = 0, hi = candidateCount - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
            }
            if stamp[lo] != ballot { stamp[lo] = ballot; return lo }
        }
    }

    mutating func fill(_ set: inout BallotSet, method: Method.Kind) {
        ballot += 1
        switch method {
        case .dot:
            // 5 points on 1...5 items, at most 3 on one.
            var left = 5
            while left > 0 {
                let item = popularNew()
                let p = min(left, 1 + below(3))
                set.addEntry(item: item, value: p)
                left -= p
            }
        case .approval:
            for _ in 0..<(1 + below(8)) { set.addEntry(item: popularNew()) }
        case .score:
            // 5...30 graded items, grade = the item's quality plus noise.
            for _ in 0..<(5 + below(26)) {
                let item = popularNew()
                let g = Int((quality[item] + 2.5 * (uniform() - 0.5)).rounded())
                set.addEntry(item: item, value: max(0, min(5, g)))
            }
        case .ranking:
            for _ in 0..<(3 + below(8)) { set.addEntry(item: popularNew()) }
        }
        set.commitBallot(key: UInt64(ballot), group: group())
    }
}

func method(_ kind: Method.Kind) -> Method {
    switch kind {
    case .dot: .dot(pointsPerMember: 5, maxPointsPerItem: 3)
    case .approval: .approval
    case .score: .score
    case .ranking: .ranking
    }
}

let candidates = (0..<candidateCount).map { i in
    Candidate(code: "R\(i < 10 ? "0" : "")\(i)", id: "00000000-0000-4000-8000-\(String(repeating: "0", count: 10))\(i < 10 ? "0" : "")\(i)")
}

// MARK: - One row, in a child process

func runOne(kind: Method.Kind, ballots n: Int) {
    let (set, genSeconds) = time { () -> BallotSet in
        var g = Generator(seed: 20_161_024)
        let perBallot = kind == .score ? 18 : 6
        var set = BallotSet(kind: kind, reservingBallots: n, entries: n * perBallot)
        for _ in 0..<n { g.fill(&set, method: kind) }
        return set
    }
    let afterGenKB = procStatusKB("VmHWM")
    let samples = Bootstrap.recommendedSamples(ballots: n)
    let plain = try! RoundInput(method: method(kind), balance: .equal, candidates: candidates, ballots: set,
                                seed: 42, bootstrapSamples: 0)
    let withBootstrap = try! RoundInput(method: method(kind), balance: .equal, candidates: candidates, ballots: set,
                                        seed: 42, bootstrapSamples: samples)
    // Best of a few runs for the fast parts (first touches of memory and caches vary).
    let repeats = n >= 1_000_000 ? 2 : 3
    var core = Double.infinity, tally = Double.infinity, cold = 0.0
    var result: RoundResult?
    for run in 0..<repeats {
        let (r, t) = time { Tally.compute(plain) }
        if run == 0 { cold = t }
        tally = min(tally, t)
        result = r
        let (_, c) = time { Tally.computeCore(plain) }
        core = min(core, c)
    }
    let (full, fullSeconds) = time { Tally.compute(withBootstrap) }
    precondition(full.digest != result!.digest, "bootstrap settings are part of the digest")
    let boot = max(0, fullSeconds - tally)
    let hwmKB = procStatusKB("VmHWM")
    let widest = full.items.max { ($0.rankInterval.hi - $0.rankInterval.lo) < ($1.rankInterval.hi - $1.rankInterval.lo) }!
    let certain = full.items.filter { $0.rankInterval.lo == $0.rankInterval.hi }.count
    let top = "\(certain)/\(full.items.count)_exact,_widest_\(widest.code)_rank_\(widest.rank)_[\(widest.rankInterval.lo)-\(widest.rankInterval.hi)]"
    print("RESULT method=\(kind.rawValue) ballots=\(n) entries=\(set.entryCount) gen=\(genSeconds) cold=\(cold) core=\(core) tally=\(tally) samples=\(samples) boot=\(boot) hwm_gen_kb=\(afterGenKB) hwm_kb=\(hwmKB) top=\(top)")
}

// MARK: - Schulze path step

func schulzeBenchmark(candidates n: Int, runs: Int) -> (median: Double, min: Double) {
    var rng = Xoshiro256StarStar(seed: 99)
    var d = [Double](repeating: 0, count: n * n)
    let voters = 10_000
    for x in 0..<n {
        for y in (x + 1)..<n {
            let a = Int(rng.next(below: UInt64(voters + 1)))
            d[x * n + y] = Double(a)
            d[y * n + x] = Double(voters - a)
        }
    }
    var times: [Double] = []
    var checksum = 0.0
    for _ in 0..<runs {
        let (p, t) = time { Schulze.strongestPaths(d, count: n) }
        checksum += p[1]
        times.append(t)
    }
    precondition(checksum >= 0)
    times.sort()
    return (times[times.count / 2], times[0])
}

// MARK: - Orchestration

func machine() -> [String] {
    let cpuinfo = readLines("/proc/cpuinfo")
    let model = cpuinfo.first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":", maxSplits: 1)[1]).trimmingSpaces } ?? "unknown"
    let cores = cpuinfo.filter { $0.hasPrefix("processor") }.count
    var swift = "unknown"
    #if swift(>=6.3)
    swift = "6.3 or later"
    #elseif swift(>=6.2)
    swift = "6.2"
    #elseif swift(>=6.1)
    swift = "6.1"
    #elseif swift(>=6.0)
    swift = "6.0"
    #endif
    let mem = readLines("/proc/meminfo").first { $0.hasPrefix("MemTotal") } ?? ""
    return ["CPU: \(model)", "cores: \(cores) (the tally runs on one)", "Swift: \(swift)", mem.replacingSpaces]
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
    var replacingUnderscores: String {
        String(map { $0 == "_" ? " " : $0 })
    }
    var replacingSpaces: String {
        split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}

/// Runs this executable with `mode` (`--one`, `--cap`) and returns its RESULT fields.
func child(_ kind: Method.Kind, _ n: Int, mode: String = "--one") -> [String: String] {
    childResult([mode, kind.rawValue, String(n)])
}

// MARK: - Rounds at the item cap

/// The heaviest ballots a round at the cap allows: every recommendation on every ballot
/// (dot with a budget of one point per recommendation), in a random order or with random
/// grades, so that no two ballots share work.
func worstBallots(_ kind: Method.Kind, candidates n: Int, ballots: Int) -> BallotSet {
    var rng = Xoshiro256StarStar(seed: 7)
    var set = BallotSet(kind: kind, reservingBallots: ballots, entries: ballots * n)
    var order = Array(0..<n)
    for b in 0..<ballots {
        order.shuffle(using: &rng)
        for item in order {
            switch kind {
            case .dot: set.addEntry(item: item, value: 1)
            case .score: set.addEntry(item: item, value: Int(rng.next(below: 6)))
            case .approval, .ranking: set.addEntry(item: item)
            }
        }
        set.commitBallot(key: UInt64(b), group: StakeholderGroup(ordinal: b % StakeholderGroup.count) ?? .other)
    }
    return set
}

func runCap(kind: Method.Kind, ballots: Int) {
    let n = Round.maxItems
    let set = worstBallots(kind, candidates: n, ballots: ballots)
    let method: Method = kind == .dot ? .dot(pointsPerMember: n, maxPointsPerItem: n) : method(kind)
    let cands = (0..<n).map { Candidate(code: "R\($0)", id: "id-\($0)") }
    let samples = Bootstrap.recommendedSamples(for: set)
    let input = try! RoundInput(method: method, balance: .equal, candidates: cands, ballots: set,
                                seed: 42, bootstrapSamples: samples, minGroupSize: 5)
    let (_, seconds) = time { Tally.compute(input) }
    print("RESULT method=\(kind.rawValue) ballots=\(ballots) entries=\(set.entryCount) samples=\(samples) seconds=\(seconds) hwm_kb=\(procStatusKB("VmHWM"))")
}

let args = CommandLine.arguments
if args.count >= 4, args[1] == "--one", let kind = Method.Kind(rawValue: args[2]), let n = Int(args[3]) {
    runOne(kind: kind, ballots: n)
    exit(0)
}
if args.count >= 4, args[1] == "--one-cap", let kind = Method.Kind(rawValue: args[2]), let n = Int(args[3]) {
    runCap(kind: kind, ballots: n)
    exit(0)
}
if args.contains("--cap") {
    var ballotCounts = [1_000, 10_000]
    if let i = args.firstIndex(of: "--cap-ballots"), i + 1 < args.count {
        ballotCounts = args[i + 1].split(separator: ",").compactMap { Int($0) }
    }
    print("Rounds at the item cap — release build, one process per row, Tally.compute with its bootstrap")
    for line in machine() { print("  " + line) }
    print("  \(Round.maxItems) recommendations (Round.maxItems), balance equal, k = 5, every ballot names every")
    print("  recommendation (dot: 1 point each of a \(Round.maxItems)-point budget; score: random grades;")
    print("  ranking: a random full order); samples = Bootstrap.recommendedSamples(for:). Worker deadline: 30 s.")
    print("")
    print([pad("ballots", 8), pad("method", 9, right: false), pad("entries", 11), pad("samples", 7), pad("seconds", 8), pad("peak MiB", 8)].joined(separator: " "))
    print(String(repeating: "-", count: 58))
    for n in ballotCounts {
        for kind in Method.Kind.allCases {
            let f = child(kind, n, mode: "--one-cap")
            guard let seconds = Double(f["seconds"] ?? ""), let hwm = Int(f["hwm_kb"] ?? "") else {
                print("\(pad(withThousands(n), 8)) \(kind.rawValue): child failed")
                continue
            }
            print([pad(withThousands(n), 8), pad(kind.rawValue, 9, right: false),
                   pad(withThousands(Int(f["entries"] ?? "") ?? 0), 11), pad(f["samples"] ?? "", 7),
                   pad(fixed(seconds, 2), 8), pad(fixed(Double(hwm) / 1024, 0), 8)].joined(separator: " "))
            fflush(nil)
        }
    }
    exit(0)
}

var sizes = [10_000, 100_000, 1_000_000]
if let i = args.firstIndex(of: "--sizes"), i + 1 < args.count {
    sizes = args[i + 1].split(separator: ",").compactMap { Int($0) }
}

print("WerkstattVoting benchmark — release build, one process per row")
for line in machine() { print("  " + line) }
print("  \(candidateCount) candidates, balance equal, ballots: dot 5 points (≤ 3 per item), approval 1–8 items,")
print("  score 5–30 graded items, ranking 3–10 listed; groups industry-heavy; Zipf-like popularity.")
print("  tally = Tally.compute without bootstrap (canonical sort + digest + counts + per-group + agreement),")
print("  best of 2-3 runs; cold = its first run; core = Tally.computeCore (no digest);")
print("  bootstrap = extra time of Tally.compute with `samples` resamples")
print("  (Bootstrap.recommendedSamples); peak = VmHWM of the row's process (includes the generated ballots).")
print("")
let header = [pad("ballots", 10), pad("method", 9, right: false), pad("gen s", 7), pad("cold s", 7), pad("tally s", 8), pad("core s", 7),
              pad("ballots/s", 11), pad("samples", 7), pad("boot s", 7), pad("ms/sample", 9), pad("peak MiB", 8), "  rank intervals"]
print(header.joined(separator: " "))
print(String(repeating: "-", count: 140))
for n in sizes {
    for kind in Method.Kind.allCases {
        let f = child(kind, n)
        guard let tally = Double(f["tally"] ?? ""), let core = Double(f["core"] ?? ""),
              let gen = Double(f["gen"] ?? ""), let boot = Double(f["boot"] ?? ""),
              let samples = Int(f["samples"] ?? ""), let hwm = Int(f["hwm_kb"] ?? "") else {
            print("\(pad(withThousands(n), 10)) \(kind.rawValue): child failed")
            continue
        }
        let row = [
            pad(withThousands(n), 10), pad(kind.rawValue, 9, right: false), pad(fixed(gen, 3), 7),
            pad(fixed(Double(f["cold"] ?? "") ?? 0, 3), 7), pad(fixed(tally, 3), 8), pad(fixed(core, 3), 7),
            pad(withThousands(Int((Double(n) / tally).rounded())), 11), pad(String(samples), 7),
            pad(fixed(boot, 2), 7), pad(fixed(boot / Double(max(samples, 1)) * 1000, 1), 9),
            pad(fixed(Double(hwm) / 1024, 0), 8), "  " + (f["top"] ?? "").replacingUnderscores,
        ]
        print(row.joined(separator: " "))
        fflush(nil)
    }
}
print("")
let runs = 11
let (median, best) = schulzeBenchmark(candidates: 200, runs: runs)
print("Schulze.strongestPaths, 200 candidates: median \(fixed(median * 1000, 2)) ms, best \(fixed(best * 1000, 2)) ms over \(runs) runs (target < 50 ms)")
let (median50, _) = schulzeBenchmark(candidates: 50, runs: runs)
print("Schulze.strongestPaths,  50 candidates: median \(fixed(median50 * 1000, 3)) ms")
