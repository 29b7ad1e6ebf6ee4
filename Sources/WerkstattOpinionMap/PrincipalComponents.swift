import WerkstattVoting

/// The top two eigenvectors of XᵀX (the principal axes of the centred matrix), by subspace
/// iteration: V ← orthonormalise(Xᵀ(X·V)), from fixed start vectors, until the subspace
/// moves by less than `tolerance` or after `maxIterations`; then one Rayleigh–Ritz step
/// turns the two vectors of the subspace into the eigenvectors (docs/architecture.md says
/// why it is written by hand).
struct PrincipalComponents {
    /// Two unit vectors, one loading per thesis; the largest-magnitude loading is positive.
    var loadings: [[Double]]
    /// Their eigenvalues, largest first.
    var eigenvalues: [Double]
    /// Iterations until the subspace settled (or `maxIterations`).
    var iterations: Int

    static let tolerance = 1e-10
    static let maxIterations = 500

    static func compute(_ x: CentredMatrix, seed: UInt64,
                        checkingCancellation check: () throws(CancellationError) -> Void) throws(CancellationError) -> PrincipalComponents {
        let m = x.columns
        precondition(m >= 2, "two components need two theses")
        // Start vectors from the seed, so that the iteration is the same on every run.
        var random = SplitMix64(seed: seed ^ 0x5043_415F_5354_4152)   // "PCA_STAR"
        var v = (0..<(2 * m)).map { _ in 2 * random.unit() - 1 }
        orthonormalise(&v, columns: m)
        var u = [Double](repeating: 0, count: 2 * x.rows)
        var w = [Double](repeating: 0, count: 2 * m)
        var iterations = 0
        while iterations < maxIterations {
            try check()
            iterations += 1
            x.multiply(v, into: &u)
            x.multiplyTransposed(u, into: &w)
            orthonormalise(&w, columns: m)
            let moved = distance(from: v, to: w, columns: m)
            swap(&v, &w)
            if moved < tolerance { break }
        }
        // Rayleigh–Ritz: H = Vᵀ(XᵀX)V is 2×2; its eigenvectors rotate V onto the eigenvectors.
        x.multiply(v, into: &u)
        x.multiplyTransposed(u, into: &w)
        var h11 = 0.0, h12 = 0.0, h22 = 0.0
        for j in 0..<m {
            h11 += v[2 * j] * w[2 * j]
            h12 += v[2 * j] * w[2 * j + 1]
            h22 += v[2 * j + 1] * w[2 * j + 1]
        }
        let mean = (h11 + h22) / 2
        let radius = ((h11 - h22) * (h11 - h22) / 4 + h12 * h12).squareRoot()
        // The larger eigenvalue's eigenvector (c, s), from whichever of the two equivalent
        // formulas does not cancel; only √, so the result is the same on every platform.
        var (c, s) = h11 >= h22 ? (mean + radius - h22, h12) : (h12, mean + radius - h11)
        let length = (c * c + s * s).squareRoot()
        if length > 0 { (c, s) = (c / length, s / length) } else { (c, s) = (1, 0) }
        var first = (0..<m).map { c * v[2 * $0] + s * v[2 * $0 + 1] }
        var second = (0..<m).map { -s * v[2 * $0] + c * v[2 * $0 + 1] }
        fixSign(&first)
        fixSign(&second)
        return PrincipalComponents(loadings: [first, second],
                                   eigenvalues: [max(0, mean + radius), max(0, mean - radius)],
                                   iterations: iterations)
    }

    /// Gram–Schmidt on the two interleaved columns, the projection done twice ("twice is
    /// enough" for orthogonality in floating point). A column that vanishes (X of rank < 2)
    /// is replaced by a fixed unit vector, so the result is always an orthonormal pair.
    static func orthonormalise(_ v: inout [Double], columns m: Int) {
        func norm(_ k: Int) -> Double {
            var s = 0.0
            for j in 0..<m { s += v[2 * j + k] * v[2 * j + k] }
            return s.squareRoot()
        }
        func scale(_ k: Int, by f: Double) { for j in 0..<m { v[2 * j + k] *= f } }
        func removeFirst() {
            var d = 0.0
            for j in 0..<m { d += v[2 * j] * v[2 * j + 1] }
            for j in 0..<m { v[2 * j + 1] -= d * v[2 * j] }
        }
        var n1 = norm(0)
        if !(n1 > 0) {
            for j in 0..<m { v[2 * j] = j == 0 ? 1 : 0 }
            n1 = 1
        }
        scale(0, by: 1 / n1)
        let before = norm(1)
        removeFirst()
        removeFirst()
        var n2 = norm(1)
        if !(n2 > 1e-12 * max(before, 1e-300)) {
            // The basis vector least along the first column, made orthogonal to it.
            var smallest = 0
            for j in 1..<m where abs(v[2 * j]) < abs(v[2 * smallest]) { smallest = j }
            for j in 0..<m { v[2 * j + 1] = j == smallest ? 1 : 0 }
            removeFirst()
            removeFirst()
            n2 = norm(1)
        }
        scale(1, by: 1 / n2)
    }

    /// ‖W − V(VᵀW)‖: how far the new subspace W lies outside the old one V (both orthonormal).
    static func distance(from v: [Double], to w: [Double], columns m: Int) -> Double {
        var p = (0.0, 0.0, 0.0, 0.0)   // VᵀW
        for j in 0..<m {
            p.0 += v[2 * j] * w[2 * j]; p.1 += v[2 * j] * w[2 * j + 1]
            p.2 += v[2 * j + 1] * w[2 * j]; p.3 += v[2 * j + 1] * w[2 * j + 1]
        }
        var s = 0.0
        for j in 0..<m {
            let r0 = w[2 * j] - v[2 * j] * p.0 - v[2 * j + 1] * p.2
            let r1 = w[2 * j + 1] - v[2 * j] * p.1 - v[2 * j + 1] * p.3
            s += r0 * r0 + r1 * r1
        }
        return s.squareRoot()
    }

    /// An eigenvector's sign is arbitrary; make its largest-magnitude loading (the first
    /// of equal ones) positive, so the map does not flip between runs or machines.
    static func fixSign(_ v: inout [Double]) {
        var largest = 0
        for j in v.indices where abs(v[j]) > abs(v[largest]) { largest = j }
        if v[largest] < 0 { for j in v.indices { v[j] = -v[j] } }
    }
}

extension SplitMix64 {
    /// A uniform double in [0, 1) from the top 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform index in 0..<n (n > 0); the bias of the multiplication is below 2⁻⁴⁰ for
    /// any n this module sees, and unlike `Int.random(in:)` it is fixed for every platform.
    mutating func index(below n: Int) -> Int { min(Int(unit() * Double(n)), n - 1) }
}
