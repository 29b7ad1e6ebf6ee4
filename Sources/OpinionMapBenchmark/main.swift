// OpinionMapBenchmark: `swift run -c release OpinionMapBenchmark [--sizes 2500,5000,10000]`
//
// Synthetic workshops of 500 theses in which 20 % of the cells hold a stance (a tenth of
// them passes), in two shapes: three planted opinion blocs with 20 % noise (what a
// workshop looks like), and pure noise (no structure: the subspace iteration finds no gap
// between the second and third eigenvalue and runs to its cap of 500 iterations, the worst
// case). Each row runs in a child process of this executable (`--one SHAPE N`), because
// the peak resident memory (VmHWM) only ever grows: a fresh process measures that row
// alone. The computation is single-threaded; times are wall clock, best of 3.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BenchmarkSupport
import WerkstattOpinionMap
import WerkstattVoting

let theses = 500
let density = 0.2

enum Shape: String { case blocs, noise }

/// A seeded workshop: participant p declares group p % 8; with `.blocs` it belongs to bloc
/// p % 3, which agrees with its third of the theses and disagrees with the rest, each
/// opinion flipped with probability 0.2; with `.noise` every opinion is a coin toss.
func workshop(_ shape: Shape, participants n: Int) -> OpinionInput {
    var random = Xoshiro256StarStar(seed: 20_240_501)
    func unit() -> Double { Double(random.next() >> 11) * 0x1.0p-53 }
    var stances: [OpinionInput.Stance] = []
    stances.reserveCapacity(Int(Double(n * theses) * density * 1.05))
    for p in 0..<n {
        for t in 0..<theses where unit() < density {
            let vote: Vote
            if unit() < 0.1 {
                vote = .pass
            } else if shape == .noise {
                vote = unit() < 0.5 ? .agree : .disagree
            } else {
                vote = (t * 3 / theses == p % 3) != (unit() < 0.2) ? .agree : .disagree
            }
            stances.append(.init(participant: Int32(p), thesis: Int32(t), vote: vote))
        }
    }
    let groups = (0..<n).map { StakeholderGroup.allCases[$0 % StakeholderGroup.count] }
    return OpinionInput(groups: groups, thesisCount: theses, stances: stances, minGroupSize: 5)
}

func runOne(_ shape: Shape, participants n: Int) throws {
    let rssBefore = procStatusKB("VmRSS")
    let (input, generation) = time { workshop(shape, participants: n) }
    let rssInput = procStatusKB("VmRSS")
    let hwmInput = procStatusKB("VmHWM")
    var best = Double.infinity
    var map: OpinionMap?
    for _ in 0..<3 {
        let (m, t) = try time { try OpinionMap.compute(input) }
        best = min(best, t)
        map = m
    }
    let hwm = procStatusKB("VmHWM")
    guard let map else { return }
    let silhouette = map.silhouettes[map.groups.count] ?? 0
    print("RESULT shape=\(shape.rawValue) n=\(n) stances=\(input.stances.count) gen=\(generation) best=\(best)",
          "iterations=\(map.iterations) groups=\(map.groups.count) silhouette=\(silhouette)",
          "explained=\(map.components.first?.explainedVariance ?? 0)",
          "rss_before_kb=\(rssBefore) rss_input_kb=\(rssInput) hwm_input_kb=\(hwmInput) hwm_kb=\(hwm)")
}

/// Runs this executable with `--one` and returns its RESULT fields.
func child(_ shape: Shape, _ n: Int) -> [String: String] {
    childResult(["--one", shape.rawValue, String(n)])
}

let args = CommandLine.arguments
if args.count >= 4, args[1] == "--one", let shape = Shape(rawValue: args[2]), let n = Int(args[3]) {
    try runOne(shape, participants: n)
    exit(0)
}
var sizes = [2_500, 5_000, 10_000]
if let i = args.firstIndex(of: "--sizes"), i + 1 < args.count {
    sizes = args[i + 1].split(separator: ",").compactMap { Int($0) }
}

print("WerkstattOpinionMap benchmark — release build, one process per row, one thread")
print("  \(theses) theses, \(Int(density * 100)) % of cells with a stance (a tenth of them pass), k = 5, minStances 7;")
print("  blocs: three planted opinion blocs, 20 % noise; noise: coin tosses, no structure.")
print("  compute = OpinionMap.compute, best of 3 (wall clock); iter = subspace iterations (cap 500);")
print("  input MiB = VmRSS growth while generating the stances (the input array itself);")
print("  peak MiB = VmHWM of the row's process; compute MiB = peak − VmHWM after generation,")
print("  the memory OpinionMap.compute added at its peak; B/stance = compute MiB per stance.")
print("")
print([pad("participants", 12), pad("shape", 6), pad("stances", 10), pad("compute s", 9), pad("iter", 4), pad("groups", 6),
       pad("silh.", 5), pad("input MiB", 9), pad("peak MiB", 8), pad("compute MiB", 11), pad("B/stance", 8)].joined(separator: " "))
print(String(repeating: "-", count: 101))
for shape in [Shape.blocs, .noise] {
    for n in sizes {
        let f = child(shape, n)
        guard let stances = Int(f["stances"] ?? ""), let best = Double(f["best"] ?? ""), let hwm = Int(f["hwm_kb"] ?? ""),
              let hwmInput = Int(f["hwm_input_kb"] ?? ""), let rssInput = Int(f["rss_input_kb"] ?? ""),
              let rssBefore = Int(f["rss_before_kb"] ?? "") else {
            print("\(pad(String(n), 12)) \(shape.rawValue): child failed")
            continue
        }
        let added = Double(hwm - hwmInput) / 1024
        print([pad(String(n), 12), pad(shape.rawValue, 6), pad(String(stances), 10), pad(fixed(best, 3), 9),
               pad(f["iterations"] ?? "", 4), pad(f["groups"] ?? "", 6), pad(fixed(Double(f["silhouette"] ?? "") ?? 0, 2), 5),
               pad(fixed(Double(rssInput - rssBefore) / 1024, 1), 9), pad(fixed(Double(hwm) / 1024, 1), 8),
               pad(fixed(added, 1), 11), pad(fixed(added * 1_048_576 / Double(stances), 1), 8)].joined(separator: " "))
        fflush(nil)
    }
}
