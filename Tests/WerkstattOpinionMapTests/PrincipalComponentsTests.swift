import Testing
import WerkstattVoting
@testable import WerkstattOpinionMap

@Suite("Principal components")
struct PrincipalComponentsTests {
    /// The worked example of docs/methods.md: four participants, three theses, no gaps.
    static let worked: [[Int?]] = [
        [1, 1, 1],
        [1, 1, -1],
        [-1, -1, 1],
        [-1, -1, -1],
    ]

    static func input(_ rows: [[Int?]], minStances: Int = 1, k: Int = 2, seed: UInt64 = OpinionMap.defaultSeed) -> OpinionInput {
        OpinionInput(groups: rows.map { _ in .industry }, thesisCount: rows.first?.count ?? 0,
                     stances: stances(rows), minStances: minStances, minGroupSize: k, seed: seed)
    }

    @Test("XᵀX = [[4,4,0],[4,4,0],[0,0,4]]: eigenvalues 8 and 4, axes (1,1,0)/√2 and (0,0,1)")
    func knownAnswer() throws {
        let map = try OpinionMap.compute(Self.input(Self.worked, minStances: 3))
        #expect(map.isSufficient)
        let r = 0.5.squareRoot()
        let first = map.components[0], second = map.components[1]
        #expect(abs(first.explainedVariance - 2.0 / 3) < 1e-12)
        #expect(abs(second.explainedVariance - 1.0 / 3) < 1e-12)
        for (got, want) in zip(first.loadings, [r, r, 0]) { #expect(abs(got - want) < 1e-9) }
        for (got, want) in zip(second.loadings, [0, 0, 1.0]) { #expect(abs(got - want) < 1e-9) }
        // Coordinates: X_i · v, no scaling (everyone saw every thesis).
        let s = 2.0.squareRoot()
        let expected: [(Double, Double)] = [(s, 1), (s, -1), (-s, 1), (-s, -1)]
        for (point, (x, y)) in zip(map.points, expected) {
            #expect(abs(point.x - x) < 1e-9 && abs(point.y - y) < 1e-9)
        }
    }

    @Test("Missing and pass take the thesis mean, so they centre to 0; trace is the sum of squares")
    func centring() throws {
        // Thesis 0: agree, agree, disagree, pass → mean 1/3; thesis 1: agree, (none), disagree, disagree → −1/3.
        let rows: [[Int?]] = [[1, 1], [1, nil], [-1, -1], [0, -1]]
        let table = try StanceTable(Self.input(rows))
        let x = CentredMatrix(table, placed: [0, 1, 2, 3])
        #expect(x.means == [1.0 / 3, -1.0 / 3])
        #expect(x.rowStart == [0, 2, 3, 5, 6])
        #expect(x.column == [0, 1, 0, 0, 1, 1])
        let want = [2.0 / 3, 4.0 / 3, 2.0 / 3, -4.0 / 3, -2.0 / 3, -2.0 / 3]
        for (got, w) in zip(x.value, want) { #expect(abs(got - w) < 1e-15) }
        #expect(abs(x.sumOfSquares - want.reduce(0) { $0 + $1 * $1 }) < 1e-12)
        #expect(x.variedColumns == 2)
    }

    @Test("Agrees with a dense Jacobi reference on a random sparse workshop, imputation included")
    func againstDenseReference() throws {
        let w = SyntheticWorkshop(participants: 60, theses: 8, blocs: 3, density: 0.6, noise: 0.3, seed: 11)
        let table = try StanceTable(w.input)
        let placed = (0..<table.participants).filter { table.count(of: $0) >= 1 }
        let x = CentredMatrix(table, placed: placed)
        let pca = try PrincipalComponents.compute(x, seed: 3, checkingCancellation: {})
        #expect(pca.iterations < PrincipalComponents.maxIterations)

        // Dense X from the raw stances, imputed independently: missing and pass get the mean.
        let m = 8
        var dense = [[Double?]](repeating: [Double?](repeating: nil, count: m), count: table.participants)
        for s in w.input.stances where s.vote != .pass { dense[Int(s.participant)][Int(s.thesis)] = Double(s.vote.sign) }
        let rows = placed.map { dense[$0] }
        let means = (0..<m).map { j -> Double in
            let known = rows.compactMap { $0[j] }
            return known.isEmpty ? 0 : known.reduce(0, +) / Double(known.count)
        }
        let centred = rows.map { row in (0..<m).map { (row[$0] ?? means[$0]) - means[$0] } }
        let gram = (0..<m).map { a in (0..<m).map { b in centred.reduce(0) { $0 + $1[a] * $1[b] } } }
        let reference = jacobiEigen(gram)
        let trace = (0..<m).reduce(0) { $0 + gram[$1][$1] }
        #expect(abs(trace - x.sumOfSquares) < 1e-9)
        for c in 0..<2 {
            #expect(abs(pca.eigenvalues[c] - reference[c].value) < 1e-8 * reference[0].value)
            #expect(alignment(pca.loadings[c], reference[c].vector) > 1 - 1e-9)
        }
        #expect(reference[1].value > reference[2].value * 1.05, "distinct eigenvalues, so the axes are defined")
    }

    @Test("Gram–Schmidt gives an orthonormal pair even from parallel columns")
    func orthonormalise() {
        var v: [Double] = [1, 2, 2, 4, 0, 0]   // columns (1,2,0) and (2,4,0): parallel
        PrincipalComponents.orthonormalise(&v, columns: 3)
        let a = [v[0], v[2], v[4]], b = [v[1], v[3], v[5]]
        #expect(abs(alignment(a, a) - 1) < 1e-12)
        #expect(abs(alignment(b, b) - 1) < 1e-12)
        #expect(alignment(a, b) < 1e-12)
    }

    @Test("The largest-magnitude loading is made positive")
    func sign() {
        var v = [0.3, -0.8, 0.5]
        PrincipalComponents.fixSign(&v)
        #expect(v == [-0.3, 0.8, -0.5])
    }
}
