/// Per-ballot weights from the stakeholder balance.
public enum Weights {
    /// The weight of one ballot of each group, indexed by `StakeholderGroup.ordinal`.
    ///
    /// - proportional: 1 for every ballot.
    /// - equal: 1 / (groups voting × ballots in the group), so each voting group weighs 1/G.
    /// - custom: share_g / ballots_g, with the shares normalised to sum 1 over the groups that
    ///   cast ballots; groups without a share (or with a negative or non-finite one) weigh 0.
    ///   Normalising over voting groups keeps the total weight at 1, like `equal`: a group
    ///   that stays away does not shrink everybody else's scores. Rankings do not depend on
    ///   this choice (it multiplies all weights by one constant).
    public static func perBallot(balance: Balance, ballotsPerGroup counts: [Int]) -> [Double] {
        precondition(counts.count == StakeholderGroup.count)
        var weights = [Double](repeating: 0, count: StakeholderGroup.count)
        switch balance {
        case .proportional:
            for g in 0..<StakeholderGroup.count { weights[g] = 1 }
        case .equal:
            let voting = counts.filter { $0 > 0 }.count
            for g in 0..<StakeholderGroup.count where counts[g] > 0 {
                weights[g] = 1 / (Double(voting) * Double(counts[g]))
            }
        case .custom(let shares):
            var total = 0.0
            var usable = [Double](repeating: 0, count: StakeholderGroup.count)
            for group in StakeholderGroup.allCases where counts[group.ordinal] > 0 {
                let share = shares[group] ?? 0
                if share.isFinite && share > 0 {
                    usable[group.ordinal] = share
                    total += share
                }
            }
            if total > 0 {
                for g in 0..<StakeholderGroup.count where usable[g] > 0 {
                    weights[g] = usable[g] / (total * Double(counts[g]))
                }
            }
        }
        return weights
    }

    /// The weights when the groups of each unit weigh together, as one group: `equal`
    /// gives each unit the same total weight, `custom` gives a unit the sum of its groups'
    /// shares, and within a unit every ballot weighs the same. The tally weighs the
    /// disclosure's entries this way (each shown group alone; the groups under k together):
    /// were a pooled group of one ballot weighed apart from the others, the weighted total
    /// and the unweighted supporter counts would be two equations that give its ballot away.
    /// With every unit a single group this is `perBallot(balance:ballotsPerGroup:)`.
    public static func perBallot(balance: Balance, ballotsPerGroup counts: [Int], units: [[Int]]) -> [Double] {
        precondition(counts.count == StakeholderGroup.count)
        guard case .proportional = balance else {
            // Count each unit as one group: its ballots, and (custom) its summed share.
            var unitCounts = [Int](repeating: 0, count: StakeholderGroup.count)
            var shares: [StakeholderGroup: Double] = [:]
            var representative: [Int] = []
            for unit in units {
                guard let first = unit.first, let group = StakeholderGroup(ordinal: first) else { continue }
                unitCounts[first] = unit.reduce(0) { $0 + counts[$1] }
                if case .custom(let given) = balance {
                    shares[group] = unit.reduce(0.0) { sum, g in
                        let share = StakeholderGroup(ordinal: g).flatMap { given[$0] } ?? 0
                        return sum + (share.isFinite && share > 0 ? share : 0)
                    }
                }
                representative.append(first)
            }
            let unitBalance: Balance = if case .custom = balance { .custom(shares) } else { balance }
            let unitWeights = perBallot(balance: unitBalance, ballotsPerGroup: unitCounts)
            var weights = [Double](repeating: 0, count: StakeholderGroup.count)
            for (unit, first) in zip(units.filter { !$0.isEmpty }, representative) {
                for g in unit { weights[g] = unitWeights[first] }
            }
            return weights
        }
        return perBallot(balance: balance, ballotsPerGroup: counts)
    }

    /// The weight of one ballot of each group that cast ballots, keyed by group.
    public static func perBallot(balance: Balance, ballotsPerGroup counts: [StakeholderGroup: Int]) -> [StakeholderGroup: Double] {
        var flat = [Int](repeating: 0, count: StakeholderGroup.count)
        for (group, c) in counts { flat[group.ordinal] = c }
        let w = perBallot(balance: balance, ballotsPerGroup: flat)
        var result: [StakeholderGroup: Double] = [:]
        for group in StakeholderGroup.allCases where flat[group.ordinal] > 0 { result[group] = w[group.ordinal] }
        return result
    }

    /// True when ballots were cast but the balance weighs every one of them 0 (a custom
    /// balance whose shares all go to groups that cast none): every item would tie.
    public static func isWeightless(balance: Balance, ballotsPerGroup counts: [StakeholderGroup: Int]) -> Bool {
        guard counts.values.contains(where: { $0 > 0 }) else { return false }
        return perBallot(balance: balance, ballotsPerGroup: counts).values.allSatisfy { $0 == 0 }
    }
}
