import Testing
import WerkstattVoting
@testable import WerkstattOpinionMap

@Suite("k-means and silhouette")
struct KMeansTests {
    @Test("Two obvious clusters are found, with their means and sum of squares")
    func obvious() throws {
        let points = PlanePoints(x: [0, 0, 10, 10, 0.5, 10.5], y: [0, 1, 0, 1, 0.5, 0.5])
        var random = SplitMix64(seed: 9)
        let c = try KMeans.cluster(points, groups: 2, random: &random, checkingCancellation: {})
        let a = c.assignment
        #expect(a[0] == a[1] && a[1] == a[4])
        #expect(a[2] == a[3] && a[3] == a[5])
        #expect(a[0] != a[2])
        #expect(c.sizes == [3, 3])
        let left = c.centroids[a[0]]
        #expect(abs(left.x - 0.5 / 3) < 1e-12 && abs(left.y - 0.5) < 1e-12)
        // Each side: squared distances to (1/6, 1/2): 1/36+1/4, 1/36+1/4, 1/9 → 2/3; both sides 4/3.
        #expect(abs(c.withinSS - 4.0 / 3) < 1e-12)
    }

    @Test("Lloyd keeps a local optimum; the best of the restarts is the global one here")
    func lloydAndRestarts() throws {
        let s = 2.0.squareRoot()
        let points = PlanePoints(x: [s, s, -s, -s], y: [1, -1, 1, -1])
        let local = KMeans.lloyd(points, centres: [(x: s, y: 1), (x: s, y: -1)])
        #expect(local.assignment == [0, 1, 0, 1])
        #expect(abs(local.withinSS - 8) < 1e-12)
        var random = SplitMix64(seed: OpinionMap.defaultSeed)
        let best = try KMeans.cluster(points, groups: 2, random: &random, checkingCancellation: {})
        #expect(best.assignment[0] == best.assignment[1] && best.assignment[2] == best.assignment[3])
        #expect(abs(best.withinSS - 4) < 1e-12)
    }

    @Test("Silhouette of the worked example: 1 − 2/(√2 + √3) ≈ 0.3643 for every point")
    func silhouette() throws {
        let s = 2.0.squareRoot()
        let points = PlanePoints(x: [s, s, -s, -s], y: [1, -1, 1, -1])
        let c = KMeans.lloyd(points, centres: [(x: s, y: 0), (x: -s, y: 0)])
        let value = try Silhouette.means(points, [c], sample: [0, 1, 2, 3], checkingCancellation: {})
        #expect(abs(value[0] - (1 - 2 / (2.0.squareRoot() + 3.0.squareRoot()))) < 1e-12)
    }

    @Test("Silhouette: a cluster of one scores 0; identical points score 0")
    func silhouetteEdges() throws {
        // Points 0, 1 at distance 1, point 2 alone: s(0) = (10 − 1)/10, s(1) = (9 − 1)/9, s(2) = 0.
        let points = PlanePoints(x: [0, 1, 10], y: [0, 0, 0])
        let c = KMeans.lloyd(points, centres: [(x: 0, y: 0), (x: 10, y: 0)])
        let value = try Silhouette.means(points, [c], sample: [0, 1, 2], checkingCancellation: {})
        #expect(abs(value[0] - (0.9 + 8.0 / 9) / 3) < 1e-12)
        let same = PlanePoints(x: [1, 1, 1, 1], y: [2, 2, 2, 2])
        let d = KMeans.lloyd(same, centres: [(x: 1, y: 2), (x: 5, y: 5)])
        #expect(try Silhouette.means(same, [d], sample: [0, 1, 2, 3], checkingCancellation: {}) == [0])
    }

    @Test("The silhouette sample: all points up to 2,000, else 2,000 distinct sorted ones, fixed by the seed")
    func sample() {
        #expect(Silhouette.sample(count: 5, seed: 1) == [0, 1, 2, 3, 4])
        let s = Silhouette.sample(count: 10_000, seed: 1)
        #expect(s.count == 2_000 && Set(s).count == 2_000 && s == s.sorted() && (s.last ?? 0) < 10_000)
        #expect(s == Silhouette.sample(count: 10_000, seed: 1))
        #expect(s != Silhouette.sample(count: 10_000, seed: 2))
    }
}
