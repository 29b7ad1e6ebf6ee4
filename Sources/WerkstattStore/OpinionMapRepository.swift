import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Opinion maps: the worker writes them (`OpinionMapComputation`); readers get the latest.
public protocol OpinionMapRepository: Sendable {
    /// The workshop's latest map; nil before the worker has drawn one.
    func latest(of workshop: UUID) async throws -> OpinionMapSnapshot?
}

public struct PostgresOpinionMapRepository: OpinionMapRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func latest(of workshop: UUID) async throws -> OpinionMapSnapshot? {
        let rows = try await client.query("""
            SELECT id, input_digest, min_stances, min_group_size, computed_at, map::text AS map
              FROM opinion_maps WHERE workshop_id = \(workshop) ORDER BY id DESC LIMIT 1
            """, logger: logger)
        return try await rows.all { r in
            OpinionMapSnapshot(
                workshopId: workshop, snapshotId: try r.get("id", as: Int64.self),
                computedAt: try r.get("computed_at", as: Date.self), inputDigest: try r.get("input_digest", as: String.self),
                minStances: Int(try r.get("min_stances", as: Int32.self)),
                minGroupSize: Int(try r.get("min_group_size", as: Int32.self)),
                content: try JSONDecoder().decode(OpinionMapSnapshot.Content.self,
                                                  from: Data(try r.get("map", as: String.self).utf8)))
        }.first
    }
}
