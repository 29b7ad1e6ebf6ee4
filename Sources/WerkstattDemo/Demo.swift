import Foundation
import Logging
import PostgresNIO
import WerkstattDomain
import WerkstattStore
import WerkstattVoting
import WerkstattWorker

/// `werkstatt demo`: builds the Saxon StrategieWerkstatt and the Mülheim Stärkungsinitiative
/// from the demo data set, with members of every stakeholder group, theses, stances,
/// comments, one closed and one open round each with seeded random ballots, progress on
/// the implementation list, and their rankings and opinion maps computed. Running it again adds nothing.
public struct Demo: Sendable {
    /// What happened to one workshop.
    public struct Outcome: Sendable {
        public var slug: String
        public var created: Bool
        public var members: Int
        public var ballots: Int
    }

    let client: PostgresClient
    let logger: Logger
    let repositories: Repositories

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        self.repositories = Repositories(postgres: client, logger: logger)
    }

    public func run() async throws -> [Outcome] {
        let data = try DemoData.load()
        let organisations = try await ensureOrganisations(data.organisations)
        var outcomes: [Outcome] = []
        for (index, workshop) in data.workshops.enumerated() {
            if try await repositories.workshops.get(slug: workshop.slug) != nil {
                outcomes.append(Outcome(slug: workshop.slug, created: false, members: 0, ballots: 0))
                continue
            }
            var builder = WorkshopBuilder(data: workshop, organisations: organisations, repositories: repositories,
                                          random: SplitMix64(seed: 2016 + UInt64(index)))
            outcomes.append(try await builder.build())
        }
        // Rankings and opinion maps are there the moment the demo finishes, worker or not.
        let computation = SnapshotComputation(client: client, logger: logger)
        while try await computation.computeOne() != nil {}
        let maps = OpinionMapComputation(client: client, logger: logger)
        while try await maps.computeOne() != nil {}
        return outcomes
    }

    /// The data set's organisations, created where no organisation of that name exists yet.
    private func ensureOrganisations(_ wanted: [DemoData.Organisation]) async throws -> [DemoOrganisation] {
        let rows = try await client.query("SELECT id, name, stakeholder_group FROM organisations", logger: logger)
        var byName: [String: DemoOrganisation] = [:]
        for try await (id, name, group) in rows.decode((UUID, String, String).self) {
            byName[name] = DemoOrganisation(id: id, name: name, group: try StakeholderGroup(decoding: group))
        }
        var result: [DemoOrganisation] = []
        for organisation in wanted {
            if let existing = byName[organisation.name] {
                result.append(existing)
                continue
            }
            guard let group = StakeholderGroup(rawValue: organisation.stakeholder_group) else {
                throw DemoFailure("the demo data names an unknown stakeholder group '\(organisation.stakeholder_group)' "
                                  + "for \(organisation.name)")
            }
            let created = try await repositories.organisations.create(
                NewOrganisation(name: organisation.name, stakeholderGroup: group, region: organisation.region), by: .commandLine)
            let made = DemoOrganisation(id: created.id, name: created.name, group: group)
            byName[organisation.name] = made
            result.append(made)
        }
        return result
    }
}

struct DemoOrganisation: Sendable {
    var id: UUID
    var name: String
    var group: StakeholderGroup
}
