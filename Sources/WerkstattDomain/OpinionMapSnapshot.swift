import Foundation
import WerkstattOpinionMap
import WerkstattVoting

/// Whether a representative thesis marks its group by agreeing or by disagreeing.
public typealias OpinionMapDirection = OpinionMap.Direction

/// The opinion map of a workshop as readers get it (`GET /v1/workshops/{id}/opinion-map`):
/// one immutable snapshot the worker computed. Participants appear only as anonymous
/// points with a label drawn at random for this map; no member id or name is in it.
public struct OpinionMapSnapshot: Codable, Sendable, Equatable {
    public struct Component: Codable, Sendable, Equatable {
        /// Share of the total variance of the centred stance matrix, 0…1.
        public var explainedVariance: Double
        enum CodingKeys: String, CodingKey { case explainedVariance = "explained_variance" }
    }

    /// One placed participant: where, and in which group. No counts of their own: a count
    /// per person would follow them from one map to the next, whatever the label.
    public struct Point: Codable, Sendable, Equatable {
        public var label: String
        public var x: Double
        public var y: Double
        public var group: String
    }

    /// A thesis as the map names it.
    public struct ThesisRef: Codable, Sendable, Equatable {
        public var thesisId: UUID
        public var title: String
        public init(thesisId: UUID, title: String) { self.thesisId = thesisId; self.title = title }
        enum CodingKeys: String, CodingKey { case thesisId = "thesis_id", title }
    }

    public struct Representative: Codable, Sendable, Equatable {
        public var thesisId: UUID
        public var title: String
        public var direction: OpinionMapDirection
        public var groupRate: Double
        public var restRate: Double
        public var groupVotes: Int
        public var groupSeen: Int
        public var z: Double
        public var pValue: Double
        enum CodingKeys: String, CodingKey {
            case thesisId = "thesis_id", title, direction, z
            case groupRate = "group_rate", restRate = "rest_rate", groupVotes = "group_votes"
            case groupSeen = "group_seen", pValue = "p_value"
        }
    }

    public struct Group: Codable, Sendable, Equatable {
        public var label: String
        public var size: Int
        public var centroid: [Double]
        public var representative: [Representative]
    }

    /// Stance counts over all participants (placed or not) and the group-informed consensus.
    public struct ThesisFigures: Codable, Sendable, Equatable {
        public var thesisId: UUID
        public var title: String
        public var agree: Int
        public var disagree: Int
        public var pass: Int
        public var consensus: Double
        enum CodingKeys: String, CodingKey { case thesisId = "thesis_id", title, agree, disagree, pass, consensus }
    }

    public struct CrossTable: Codable, Sendable, Equatable {
        public struct Column: Codable, Sendable, Equatable {
            /// A stakeholder group, or `further_groups` for the pool.
            public var key: String
            public var groups: [StakeholderGroup]
        }
        public struct Row: Codable, Sendable, Equatable {
            public var group: String
            public var counts: [Int]
            public var total: Int
        }
        public var columns: [Column]
        public var rows: [Row]
        /// Declared groups not shown in a column of their own (pooled or withheld).
        public var withheldGroups: [StakeholderGroup]
        enum CodingKeys: String, CodingKey { case columns, rows, withheldGroups = "withheld_groups" }
    }

    public var workshopId: UUID
    public var snapshotId: Int64
    public var computedAt: Date
    /// SHA-256 of the input's canonical text: equal digests, equal maps.
    public var inputDigest: String
    public var minStances: Int
    public var minGroupSize: Int
    /// The map itself, as the worker stored it (`opinion_maps.map`).
    public var content: Content

    public init(workshopId: UUID, snapshotId: Int64, computedAt: Date, inputDigest: String,
                minStances: Int, minGroupSize: Int, content: Content) {
        self.workshopId = workshopId; self.snapshotId = snapshotId; self.computedAt = computedAt
        self.inputDigest = inputDigest; self.minStances = minStances; self.minGroupSize = minGroupSize
        self.content = content
    }

    enum CodingKeys: String, CodingKey {
        case workshopId = "workshop_id", snapshotId = "snapshot_id", computedAt = "computed_at"
        case inputDigest = "input_digest", minStances = "min_stances", minGroupSize = "min_group_size"
    }

    /// One flat object: the snapshot's columns beside the content's keys.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workshopId = try c.decode(UUID.self, forKey: .workshopId)
        snapshotId = try c.decode(Int64.self, forKey: .snapshotId)
        computedAt = try c.decode(Date.self, forKey: .computedAt)
        inputDigest = try c.decode(String.self, forKey: .inputDigest)
        minStances = try c.decode(Int.self, forKey: .minStances)
        minGroupSize = try c.decode(Int.self, forKey: .minGroupSize)
        content = try Content(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workshopId, forKey: .workshopId)
        try c.encode(snapshotId, forKey: .snapshotId)
        try c.encode(computedAt, forKey: .computedAt)
        try c.encode(inputDigest, forKey: .inputDigest)
        try c.encode(minStances, forKey: .minStances)
        try c.encode(minGroupSize, forKey: .minGroupSize)
        try content.encode(to: encoder)
    }

    /// What the worker computed, without the columns of its row.
    public struct Content: Codable, Sendable, Equatable {
        /// Participants with at least one stance, and those with enough stances to be placed.
        public var participants: Int
        public var placed: Int
        /// Placed participants any map needs (two groups of k).
        public var needed: Int
        /// False while the input is too thin for a map: no components, points or groups then.
        public var sufficient: Bool
        public var components: [Component]
        /// Mean silhouette per number of groups that was admissible (every group at least k).
        public var silhouettes: [String: Double]
        public var points: [Point]
        public var groups: [Group]
        /// The theses most groups agree on, highest group-informed consensus first (at most 10).
        public var consensus: [ThesisFigures]
        /// Every thesis on the map, in the workshop's order.
        public var theses: [ThesisFigures]
        public var crossTable: CrossTable

        enum CodingKeys: String, CodingKey {
            case participants, placed, needed, sufficient, components, silhouettes, points, groups, consensus, theses
            case crossTable = "cross_table"
        }

        /// The content of a computed map. `theses` names the map's theses in
        /// input order; `labels` gives each placed participant's random label (key = participant).
        public init(map: OpinionMap, theses: [ThesisRef], labels: [Int: String]) {
            participants = map.participants
            placed = map.placed
            needed = map.needed
            sufficient = map.isSufficient
            components = map.components.map { Component(explainedVariance: $0.explainedVariance) }
            silhouettes = Dictionary(uniqueKeysWithValues: map.silhouettes.map { ("\($0.key)", $0.value) })
            // Sorted by label, so the order says nothing about who is who.
            points = map.points.compactMap { point in
                labels[point.participant].map {
                    Point(label: $0, x: point.x, y: point.y, group: OpinionMapSnapshot.groupLabel(point.group))
                }
            }.sorted { $0.label < $1.label }
            groups = map.groups.enumerated().map { index, group in
                Group(label: OpinionMapSnapshot.groupLabel(index), size: group.size, centroid: group.centroid,
                      representative: group.representative.map {
                          Representative(thesisId: theses[$0.thesis].thesisId, title: theses[$0.thesis].title,
                                         direction: $0.direction, groupRate: $0.groupRate, restRate: $0.restRate,
                                         groupVotes: $0.groupVotes, groupSeen: $0.groupSeen, z: $0.z, pValue: $0.pValue)
                      })
            }
            let consensusOf = Dictionary(uniqueKeysWithValues: map.consensus.map { ($0.thesis, $0.value) })
            let figures = map.thesisVotes.map { votes in
                ThesisFigures(thesisId: theses[votes.thesis].thesisId, title: theses[votes.thesis].title,
                              agree: votes.agree, disagree: votes.disagree, pass: votes.pass,
                              consensus: consensusOf[votes.thesis] ?? 0)
            }
            self.theses = figures
            let figuresOf = Dictionary(uniqueKeysWithValues: zip(map.thesisVotes.map(\.thesis), figures))
            consensus = map.consensus.prefix(OpinionMapSnapshot.consensusShown).compactMap { figuresOf[$0.thesis] }
            crossTable = CrossTable(
                columns: map.crossTable.columns.map { CrossTable.Column(key: $0.key, groups: $0.groups) },
                rows: map.crossTable.counts.enumerated().map { index, counts in
                    CrossTable.Row(group: OpinionMapSnapshot.groupLabel(index), counts: counts, total: map.groups[index].size)
                },
                withheldGroups: map.crossTable.withheld)
        }
    }

    /// How many consensus theses the map names.
    public static let consensusShown = 10

    /// The label of the n-th opinion group: A, B, C …
    /// (There are at most `OpinionMap.candidateGroupCounts.upperBound` groups.)
    public static func groupLabel(_ index: Int) -> String {
        String(UnicodeScalar(UInt8(65 + index % 26)))
    }
}
