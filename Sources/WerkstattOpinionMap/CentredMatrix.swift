/// The centred stance matrix X of the placed participants, stored by row (CSR).
///
/// Agree is +1 and disagree −1; pass and no stance are missing and take the thesis's mean,
/// so after centring on that mean they are exactly 0 and need not be stored: there is one
/// entry per agree or disagree stance, and memory grows with the stances, not with
/// participants × theses.
struct CentredMatrix {
    let rows: Int
    let columns: Int
    let rowStart: [Int]
    let column: [Int32]
    let value: [Double]
    /// Mean of each thesis over the placed participants' agree and disagree votes (0 without any).
    let means: [Double]
    /// Theses on which placed participants both agreed and disagreed: the columns of X that are not 0.
    let variedColumns: Int
    /// trace(XᵀX), the total variance (times the row count) the components explain a share of.
    let sumOfSquares: Double

    /// The rows of `placed` (participant numbers, ascending) in that order.
    init(_ table: StanceTable, placed: [Int]) {
        columns = table.theses
        rows = placed.count
        var sum = [Int](repeating: 0, count: columns)
        var votes = [Int](repeating: 0, count: columns)
        var nonzero = 0
        for p in placed {
            for e in table.rowStart[p]..<table.rowStart[p + 1] {
                let v = StanceTable.vote(table.entries[e])
                guard v != 0 else { continue }
                let j = StanceTable.thesis(table.entries[e])
                sum[j] += v
                votes[j] += 1
                nonzero += 1
            }
        }
        variedColumns = (0..<columns).filter { votes[$0] > abs(sum[$0]) }.count
        means = (0..<columns).map { votes[$0] > 0 ? Double(sum[$0]) / Double(votes[$0]) : 0 }
        var rowStart = [Int]()
        rowStart.reserveCapacity(rows + 1)
        rowStart.append(0)
        var column = [Int32]()
        var value = [Double]()
        column.reserveCapacity(nonzero)
        value.reserveCapacity(nonzero)
        var squares = 0.0
        for p in placed {
            for e in table.rowStart[p]..<table.rowStart[p + 1] {
                let v = StanceTable.vote(table.entries[e])
                guard v != 0 else { continue }
                let j = StanceTable.thesis(table.entries[e])
                let x = Double(v) - means[j]
                // A thesis everybody agreed with (or everybody disagreed with) centres to 0.
                guard x != 0 else { continue }
                column.append(Int32(j))
                value.append(x)
                squares += x * x
            }
            rowStart.append(column.count)
        }
        self.rowStart = rowStart
        self.column = column
        self.value = value
        sumOfSquares = squares
    }

    /// u = X·V for a block of two vectors, both stored interleaved (`v[2j]`, `v[2j + 1]`).
    func multiply(_ v: [Double], into u: inout [Double]) {
        let rows = rows
        rowStart.withUnsafeBufferPointer { start in
            column.withUnsafeBufferPointer { column in
                value.withUnsafeBufferPointer { value in
                    v.withUnsafeBufferPointer { v in
                        u.withUnsafeMutableBufferPointer { u in
                            for i in 0..<rows {
                                var a = 0.0, b = 0.0
                                for e in start[i]..<start[i + 1] {
                                    let j = Int(column[e]) &* 2
                                    let x = value[e]
                                    a += x * v[j]
                                    b += x * v[j + 1]
                                }
                                u[2 * i] = a
                                u[2 * i + 1] = b
                            }
                        }
                    }
                }
            }
        }
    }

    /// w = Xᵀ·u for a block of two vectors, interleaved as in `multiply`.
    func multiplyTransposed(_ u: [Double], into w: inout [Double]) {
        let rows = rows
        rowStart.withUnsafeBufferPointer { start in
            column.withUnsafeBufferPointer { column in
                value.withUnsafeBufferPointer { value in
                    u.withUnsafeBufferPointer { u in
                        w.withUnsafeMutableBufferPointer { w in
                            for j in 0..<w.count { w[j] = 0 }
                            for i in 0..<rows {
                                let a = u[2 * i], b = u[2 * i + 1]
                                for e in start[i]..<start[i + 1] {
                                    let j = Int(column[e]) &* 2
                                    let x = value[e]
                                    w[j] += x * a
                                    w[j + 1] += x * b
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
