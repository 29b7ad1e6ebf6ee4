import Foundation

/// The demo data set (demo/workshops.json): facts from the real processes in ../seeds,
/// compiled into the binary because users have no seeds folder.
struct DemoData: Decodable {
    struct Organisation: Decodable {
        var key: String
        var name: String
        var stakeholder_group: String
        var region: String?
    }

    struct Workshop: Decodable {
        var slug: String
        var title: String
        var description: String?
        var region: String?
        var starts_on: String?
        var ends_on: String?
        var working_groups: [WorkingGroup]
        var events: [Event]
        var recommendations: [Recommendation]
        var theses: [Thesis]
        var comments: [String]
    }

    struct WorkingGroup: Decodable {
        var code: String
        var title: String
        var description: String?
    }

    struct Event: Decodable {
        var title: String
        var place: String?
        var starts_at: String
    }

    struct Recommendation: Decodable {
        var code: String
        var title: String
        var body: String
        var working_group: String?
        var lead: [String]
        var timeframe: String?
    }

    struct Thesis: Decodable {
        var title: String
        var body: String
        var working_group: String?
        var event: String?
        /// The chance that a member agrees.
        var lean: Double
        /// How the thesis divides the two opinion camps that run across the stakeholder
        /// groups (−1…1): camp A agrees more the higher it is, camp B less (0 or absent: no divide).
        var axis: Double?
    }

    var organisations: [Organisation]
    var workshops: [Workshop]

    static func load() throws -> DemoData {
        guard let text = embeddedDemo.first?.text else { throw DemoFailure("the demo data set is missing from this build") }
        return try JSONDecoder().decode(DemoData.self, from: Data(text.utf8))
    }
}

struct DemoFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
