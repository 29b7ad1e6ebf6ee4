import Foundation
import Testing

/// Scripted elections through the API and the worker, against results worked out by hand.
@Suite("Rankings from scripted elections")
struct RankingTests {
    @Test("dot: proportional, equal and custom balance")
    func dot() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            for (balance, expected) in [
                // Points: industry {A3,B2}, industry {A5}, union {C5}.
                // proportional: A 8, B 2, C 5.
                ("proportional" as Any, ["A 1 8.0", "C 2 5.0", "B 3 2.0"]),
                // Both groups are under k = 5, so they weigh together, as one group (a group
                // of one weighed apart would give its ballot away): equal and custom weigh
                // every ballot 1/3. (Balances over shown groups: the pure tests, and
                // WeightedSecrecyTests.)
                ("equal", ["A 1 2.667", "C 2 1.667", "B 3 0.667"]),
                (["custom": ["industry": 0.8, "union": 0.2]], ["A 1 2.667", "C 2 1.667", "B 3 0.667"]),
            ] {
                let round = try await e.round(api, ["method": "dot", "balance": balance])
                try await e.vote(api, in: round, group: "industry", ["points": ["A": 3, "B": 2]])
                try await e.vote(api, in: round, group: "industry", ["points": ["A": 5]])
                try await e.vote(api, in: round, group: "union", ["points": ["C": 5]])
                let ranking = try await e.ranking(api, of: round)
                #expect(Election.table(ranking) == expected, "\(balance)")
                #expect(ranking["ballots_counted"]?.int == 3)
                let a = ranking["items"]!.array.first { $0["code"]?.string == "A" }!
                #expect(a["supporters"]?.int == 2)
                // Groups of 2 and 1 under k = 5: nothing per group, and consensus over all
                // three ballots as one: (2+1)/(3+2). (Per-group figures: SecrecyTests.)
                #expect(a["by_group"]?.keys.isEmpty == true)
                #expect(ranking["withheld_groups"]?.array.map(\.string) == ["industry", "union"])
                #expect(abs(a["consensus"]!.double! - 0.6) < 1e-9)
            }
        }
    }

    @Test("approval: an exact tie shares rank 1 in code order; equal balance breaks it")
    func approval() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            for (balance, expected) in [
                // Each item approved by 2 of 4 ballots.
                ("proportional", ["A 1 0.5", "B 1 0.5", "C 1 0.5"]),
                // Every group is under k = 5: they weigh as one, and the tie stays.
                ("equal", ["A 1 0.5", "B 1 0.5", "C 1 0.5"]),
            ] {
                let round = try await e.round(api, ["method": "approval", "balance": balance])
                try await e.vote(api, in: round, group: "industry", ["approve": ["A", "B"]])
                try await e.vote(api, in: round, group: "industry", ["approve": ["A"]])
                try await e.vote(api, in: round, group: "union", ["approve": ["C"]])
                try await e.vote(api, in: round, group: "science", ["approve": ["B", "C"]])
                #expect(Election.table(try await e.ranking(api, of: round)) == expected, "\(balance)")
            }
        }
    }

    @Test("score: majority grade (lower median) with the mean beside it")
    func score() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "score"])
            try await e.vote(api, in: round, group: "industry", ["grades": ["A": 5, "B": 3]])
            try await e.vote(api, in: round, group: "industry", ["grades": ["A": 4, "B": 3, "C": 0]])
            try await e.vote(api, in: round, group: "industry", ["grades": ["A": 1, "B": 3, "C": 5]])
            let ranking = try await e.ranking(api, of: round)
            // A [1,4,5] → 4; B [3,3,3] → 3; C [0,5] → lower middle 0.
            #expect(Election.table(ranking) == ["A 1 4.0", "B 2 3.0", "C 3 0.0"])
            let items = ranking["items"]!.array
            #expect(items.map { $0["median_grade"]?.int } == [4, 3, 0])
            #expect(abs(items[0]["mean_grade"]!.double! - 10.0 / 3.0) < 1e-9)
            #expect(items[2]["mean_grade"]?.double == 2.5)
            #expect(items.map { $0["supporters"]?.int } == [2, 3, 1])
        }
    }

    @Test("ranking: Schulze wins with Borda beside them; unlisted items rank below listed ones")
    func ranking() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let round = try await e.round(api, ["method": "ranking"])
            try await e.vote(api, in: round, group: "industry", ["ranking": ["A", "B", "C"]])
            try await e.vote(api, in: round, group: "industry", ["ranking": ["A", "C", "B"]])
            try await e.vote(api, in: round, group: "union", ["ranking": ["B", "A"]])
            let ranking = try await e.ranking(api, of: round)
            // Pairwise: A>B 2:1, A>C 3:0, B>C 2:1 → A beats 2, B beats 1, C none.
            #expect(Election.table(ranking) == ["A 1 2.0", "B 2 1.0", "C 3 0.0"])
            #expect(ranking["items"]!.array.map { $0["schulze_wins"]?.int } == [2, 1, 0])
            let borda = ranking["items"]!.array.map { $0["borda"]!.double! }
            #expect(borda[0] > borda[1] && borda[1] > borda[2])
        }
    }

    @Test("every method under every balance: the remaining combinations")
    func everyBalance() async throws {
        try await TestAPI.run { api in
            let e = try await Election.make(api)
            let custom: Any = ["custom": ["industry": 0.8, "union": 0.2]]
            // Every group here is under k = 5, so all weigh together as one group (shares
            // summed): every balance counts like proportional. (The balances' own rules:
            // the pure tests.)
            // approval, custom: 2 of 4 ballots approve each item.
            let approval = try await e.round(api, ["method": "approval", "balance": custom])
            try await e.vote(api, in: approval, group: "industry", ["approve": ["A", "B"]])
            try await e.vote(api, in: approval, group: "industry", ["approve": ["A"]])
            try await e.vote(api, in: approval, group: "union", ["approve": ["C"]])
            try await e.vote(api, in: approval, group: "science", ["approve": ["B", "C"]])
            #expect(Election.table(try await e.ranking(api, of: approval)) == ["A 1 0.5", "B 1 0.5", "C 1 0.5"])

            // score: industry {A5,B1}, {A4,B2}; union {A0,B5}. Majority grade = weighted lower median.
            for (balance, expected) in [
                ("proportional" as Any, ["A 1 4.0", "B 2 2.0", "C 3 0.0"]),
                ("equal", ["A 1 4.0", "B 2 2.0", "C 3 0.0"]),
                (custom, ["A 1 4.0", "B 2 2.0", "C 3 0.0"]),
            ] {
                let round = try await e.round(api, ["method": "score", "balance": balance])
                try await e.vote(api, in: round, group: "industry", ["grades": ["A": 5, "B": 1]])
                try await e.vote(api, in: round, group: "industry", ["grades": ["A": 4, "B": 2]])
                try await e.vote(api, in: round, group: "union", ["grades": ["A": 0, "B": 5]])
                #expect(Election.table(try await e.ranking(api, of: round)) == expected, "score \(balance)")
            }

            // ranking: industry [A,B,C] twice, union [C,B,A].
            for (balance, expected) in [
                ("proportional" as Any, ["A 1 2.0", "B 2 1.0", "C 3 0.0"]),
                ("equal", ["A 1 2.0", "B 2 1.0", "C 3 0.0"]),
                (custom, ["A 1 2.0", "B 2 1.0", "C 3 0.0"]),
            ] {
                let round = try await e.round(api, ["method": "ranking", "balance": balance])
                try await e.vote(api, in: round, group: "industry", ["ranking": ["A", "B", "C"]])
                try await e.vote(api, in: round, group: "industry", ["ranking": ["A", "B", "C"]])
                try await e.vote(api, in: round, group: "union", ["ranking": ["C", "B", "A"]])
                #expect(Election.table(try await e.ranking(api, of: round)) == expected, "ranking \(balance)")
            }
        }
    }
}
