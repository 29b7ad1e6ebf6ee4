/// Majority Judgment (Balinski–Laraki) over weighted grade distributions.
///
/// A distribution is the (weighted) mass of ballots per grade 0...5 for one item; ungraded
/// ballots are simply absent. The majority grade is the weighted *lower* median: the lowest
/// grade g whose cumulative mass reaches half the item's total mass (with an even number of
/// equal-weight ballots that is the lower of the two middle grades).
///
/// Ties on the majority grade are broken by the majority-value rule: remove one median grade
/// from each tied item and compare the new majority grades, again and again; the first
/// difference decides, the item whose median moves up (or the other's moves down) wins.
///
/// Weighted generalisation: "one grade" is a mass u equal to the mean ballot weight of the
/// round (total weight / ballots), the same u for every item. With proportional balance
/// u = 1, which is exactly Balinski–Laraki's rule; under `equal` or `custom` it removes "one
/// average ballot" per step. If the median grade holds less than u, all of it is removed.
/// Instead of stepping one ballot at a time (a million ballots could mean a million steps),
/// the step at which each median changes is computed in closed form and both items jump
/// there together; this gives the same answer as stepping.
public enum MajorityJudgment {
    /// Number of grades (0...5).
    public static let gradeCount = Method.grades.count

    /// The weighted lower median of a distribution; nil when it has no mass.
    public static func lowerMedian(_ mass: [Double]) -> Int? {
        let total = mass.reduce(0, +)
        return lowerMedian(mass, tolerance: Tolerance.relative * total)
    }

    /// The weighted mean grade; nil when the distribution has no mass.
    public static func meanGrade(_ mass: [Double]) -> Double? {
        var total = 0.0, sum = 0.0
        for (grade, m) in mass.enumerated() {
            total += m
            sum += Double(grade) * m
        }
        return total > 0 ? sum / total : nil
    }

    /// Compares two items by majority grade, then by the majority-value rule removing mass
    /// `unit` per step: 1 if `a` ranks above `b`, -1 if below, 0 for an exact tie.
    /// An item without grades ranks below every graded one.
    public static func compare(_ a: [Double], _ b: [Double], unit: Double) -> Int {
        precondition(a.count == gradeCount && b.count == gradeCount)
        let scale = max(a.reduce(0, +), b.reduce(0, +))
        guard scale > 0, unit > 0 else { return 0 }
        let tol = Tolerance.relative * scale
        var a = a.map { $0 <= tol ? 0 : $0 }
        var b = b.map { $0 <= tol ? 0 : $0 }
        // Each round trip removes at least `tol` of mass, so this only bounds pathological input.
        for _ in 0..<10_000_000 {
            let ma = lowerMedian(a, tolerance: tol)
            let mb = lowerMedian(b, tolerance: tol)
            guard let ma, let mb else {
                if ma == nil && mb == nil { return 0 }
                return ma == nil ? -1 : 1
            }
            if ma != mb { return ma > mb ? 1 : -1 }
            var same = true
            for g in 0..<gradeCount where abs(a[g] - b[g]) > tol { same = false; break }
            if same { return 0 }
            let k = min(stepsUntilChange(a, median: ma, unit: unit, tolerance: tol),
                        stepsUntilChange(b, median: mb, unit: unit, tolerance: tol))
            let removed = k * unit
            a[ma] = max(0, a[ma] - removed)
            if a[ma] <= tol { a[ma] = 0 }
            b[mb] = max(0, b[mb] - removed)
            if b[mb] <= tol { b[mb] = 0 }
        }
        return 0
    }

    /// Lower median where cumulative mass within `tolerance` of half counts as reaching it.
    static func lowerMedian(_ mass: [Double], tolerance tol: Double) -> Int? {
        var total = 0.0
        for m in mass { total += m }
        guard total > tol else { return nil }
        let half = total / 2
        var cum = 0.0
        for (grade, m) in mass.enumerated() {
            cum += m
            if m > 0 && cum >= half - tol { return grade }
        }
        return mass.lastIndex { $0 > 0 }
    }

    /// Number of unit removals at the median grade m after which the lower median is no
    /// longer m (as a Double, to stay exact for huge counts). With L below m, M at m and H
    /// above, after removing r the median is still m iff L < (W − r)/2 and
    /// L + M − r ≥ (W − r)/2, i.e. r < M + H − L and r ≤ M + L − H; and m must keep mass.
    static func stepsUntilChange(_ mass: [Double], median m: Int, unit u: Double, tolerance tol: Double) -> Double {
        var below = 0.0, above = 0.0
        for g in 0..<m { below += mass[g] }
        for g in (m + 1)..<gradeCount { above += mass[g] }
        let at = mass[m]
        let drop = ((at + above - below - 2 * tol) / u).rounded(.up)          // median moves down
        let rise = ((at + below - above + 2 * tol) / u).rounded(.down) + 1    // median moves up
        let empty = ((at - tol) / u).rounded(.up)                             // m runs out of mass
        return max(1, min(drop, rise, empty))
    }

    /// Weighted distributions per item: mass_i[grade] = Σ_g w_g × count_g(i, grade).
    static func distributions(_ agg: Aggregates, weights: [Double]) -> [[Double]] {
        let n = agg.n
        var result = [[Double]](repeating: [Double](repeating: 0, count: gradeCount), count: n)
        for g in 0..<Aggregates.groupCount where agg.ballots[g] > 0 && weights[g] != 0 {
            let w = weights[g]
            for i in 0..<n {
                let base = (g * n + i) * gradeCount
                for grade in 0..<gradeCount { result[i][grade] += w * Double(agg.grades[base + grade]) }
            }
        }
        return result
    }

    /// The mass of one step: the round's mean ballot weight (1 under proportional balance).
    static func unit(_ agg: Aggregates, weights: [Double]) -> Double {
        var weight = 0.0, ballots = 0
        for g in 0..<Aggregates.groupCount where agg.ballots[g] > 0 {
            weight += weights[g] * Double(agg.ballots[g])
            ballots += agg.ballots[g]
        }
        return ballots > 0 ? weight / Double(ballots) : 0
    }
}
