import Foundation
import WerkstattVoting
@testable import WerkstattOpinionMap

/// Stances from a matrix: one row per participant, +1 agree, −1 disagree, 0 pass, nil none.
func stances(_ rows: [[Int?]]) -> [OpinionInput.Stance] {
    var out: [OpinionInput.Stance] = []
    for (p, row) in rows.enumerated() {
        for (t, v) in row.enumerated() {
            guard let v, let vote = Vote(sign: Int8(v)) else { continue }
            out.append(.init(participant: Int32(p), thesis: Int32(t), vote: vote))
        }
    }
    return out
}

/// A seeded synthetic workshop with opinion blocs planted across the declared groups:
/// participant p belongs to bloc p % blocs and declares group (p / blocs) % 8, so every
/// declared group is split evenly between the blocs. Bloc b agrees with the theses of the
/// b-th of `blocs` equal segments and disagrees with the rest; each present stance is a pass
/// with probability `passes`, and an opinion flips with probability `noise`.
struct SyntheticWorkshop {
    var input: OpinionInput
    var bloc: [Int]

    init(participants n: Int, theses m: Int, blocs: Int = 2, density: Double, noise: Double = 0.15,
         passes: Double = 0.1, minGroupSize: Int = 5, seed: UInt64 = 1) {
        var random = Xoshiro256StarStar(seed: seed)
        func unit() -> Double { Double(random.next() >> 11) * 0x1.0p-53 }
        var list: [OpinionInput.Stance] = []
        for p in 0..<n {
            let b = p % blocs
            for t in 0..<m where unit() < density {
                let vote: Vote
                if unit() < passes {
                    vote = .pass
                } else {
                    let agrees = t * blocs / m == b
                    vote = agrees != (unit() < noise) ? .agree : .disagree
                }
                list.append(.init(participant: Int32(p), thesis: Int32(t), vote: vote))
            }
        }
        let groups = (0..<n).map { StakeholderGroup.allCases[($0 / blocs) % StakeholderGroup.count] }
        input = OpinionInput(groups: groups, thesisCount: m, stances: list, minGroupSize: minGroupSize)
        bloc = (0..<n).map { $0 % blocs }
    }
}

/// The adjusted Rand index of two labelings (Hubert, Arabie 1985): 1 for the same
/// partition, about 0 for chance agreement.
func adjustedRandIndex(_ a: [Int], _ b: [Int]) -> Double {
    precondition(a.count == b.count)
    func pairs(_ n: Int) -> Double { Double(n) * Double(n - 1) / 2 }
    var table: [[Int]: Int] = [:]
    var rows: [Int: Int] = [:], columns: [Int: Int] = [:]
    for (x, y) in zip(a, b) {
        table[[x, y], default: 0] += 1
        rows[x, default: 0] += 1
        columns[y, default: 0] += 1
    }
    let index = table.values.reduce(0) { $0 + pairs($1) }
    let sumRows = rows.values.reduce(0) { $0 + pairs($1) }
    let sumColumns = columns.values.reduce(0) { $0 + pairs($1) }
    let expected = sumRows * sumColumns / pairs(a.count)
    let maximum = (sumRows + sumColumns) / 2
    return maximum == expected ? 1 : (index - expected) / (maximum - expected)
}

/// Eigenvalues (descending) and eigenvectors of a small symmetric matrix by cyclic Jacobi
/// rotations: a slow, independent reference for the subspace iteration.
func jacobiEigen(_ a: [[Double]]) -> [(value: Double, vector: [Double])] {
    let n = a.count
    var a = a
    var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    for _ in 0..<100 {
        var off = 0.0
        for i in 0..<n { for j in 0..<n where i != j { off += a[i][j] * a[i][j] } }
        if off < 1e-24 { break }
        for p in 0..<n {
            for q in (p + 1)..<n where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {
                    let (akp, akq) = (a[k][p], a[k][q])
                    a[k][p] = c * akp - s * akq
                    a[k][q] = s * akp + c * akq
                }
                for k in 0..<n {
                    let (apk, aqk) = (a[p][k], a[q][k])
                    a[p][k] = c * apk - s * aqk
                    a[q][k] = s * apk + c * aqk
                }
                for k in 0..<n {
                    let (vkp, vkq) = (v[k][p], v[k][q])
                    v[k][p] = c * vkp - s * vkq
                    v[k][q] = s * vkp + c * vkq
                }
            }
        }
    }
    return (0..<n).map { i in (a[i][i], (0..<n).map { v[$0][i] }) }.sorted { $0.value > $1.value }
}

/// |⟨a, b⟩| for unit vectors: 1 when they are the same axis, whatever the sign.
func alignment(_ a: [Double], _ b: [Double]) -> Double {
    abs(zip(a, b).reduce(0) { $0 + $1.0 * $1.1 })
}

/// Through JSON and back, as the worker stores the map.
func roundTrip<T: Codable>(_ value: T) throws -> T {
    try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
}
