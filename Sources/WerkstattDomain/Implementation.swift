import Foundation

/// The workshop's recommendations in priority order, with who does what by when.
public struct ImplementationList: Codable, Sendable, Equatable {
    public var workshopId: UUID
    /// The decisive round the order comes from: the most recently closed one, else the open one.
    public var roundId: UUID?
    /// True while the order comes from an open round's provisional standing.
    public var provisional: Bool
    public var items: [ImplementationItem]

    public init(workshopId: UUID, roundId: UUID?, provisional: Bool, items: [ImplementationItem]) {
        self.workshopId = workshopId; self.roundId = roundId; self.provisional = provisional; self.items = items
    }

    enum CodingKeys: String, CodingKey {
        case provisional, items
        case workshopId = "workshop_id", roundId = "round_id"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(workshopId, forKey: .workshopId)
        try container.encode(roundId, forKey: .roundId)
        try container.encode(provisional, forKey: .provisional)
        try container.encode(items, forKey: .items)
    }
}

/// Where a recommendation stands in its implementation.
public enum ImplementationStatus: String, Codable, Sendable, CaseIterable {
    case planned
    case inProgress = "in_progress"
    case done, dropped
}

/// One line of the implementation list.
public struct ImplementationItem: Codable, Sendable, Equatable {
    public struct WorkingGroupRef: Codable, Sendable, Equatable {
        public var id: UUID
        public var code: String
        public var title: String
        public init(id: UUID, code: String, title: String) { self.id = id; self.code = code; self.title = title }
    }

    public struct Note: Codable, Sendable, Equatable {
        public var note: String
        public var createdAt: Date
        public init(note: String, createdAt: Date) { self.note = note; self.createdAt = createdAt }
        enum CodingKeys: String, CodingKey {
            case note
            case createdAt = "created_at"
        }
    }

    public var id: UUID
    public var position: Int
    public var recommendationId: UUID
    public var code: String
    public var title: String
    public var workingGroup: WorkingGroupRef?
    /// The rank in the decisive round's latest snapshot; nil if not ranked there.
    public var priorityRank: Int?
    public var lead: [String]
    public var timeframe: Timeframe?
    public var timeframeText: String?
    public var timeframeTextDe: String?
    public var status: ImplementationStatus
    public var progress: Int
    public var updatedAt: Date
    /// Progress notes, oldest first.
    public var notes: [Note]

    public init(id: UUID, position: Int, recommendationId: UUID, code: String, title: String,
                workingGroup: WorkingGroupRef?, priorityRank: Int?, lead: [String], timeframe: Timeframe?,
                status: ImplementationStatus, progress: Int, updatedAt: Date, notes: [Note]) {
        self.id = id; self.position = position; self.recommendationId = recommendationId; self.code = code
        self.title = title; self.workingGroup = workingGroup; self.priorityRank = priorityRank; self.lead = lead
        self.timeframe = timeframe; self.timeframeText = timeframe?.text()
        self.timeframeTextDe = timeframe?.text(german: true); self.status = status; self.progress = progress
        self.updatedAt = updatedAt; self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case id, position, code, title, lead, timeframe, status, progress, notes
        case recommendationId = "recommendation_id", workingGroup = "working_group"
        case priorityRank = "priority_rank", timeframeText = "timeframe_text"
        case timeframeTextDe = "timeframe_text_de", updatedAt = "updated_at"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(position, forKey: .position)
        try c.encode(recommendationId, forKey: .recommendationId); try c.encode(code, forKey: .code)
        try c.encode(title, forKey: .title); try c.encode(workingGroup, forKey: .workingGroup)
        try c.encode(priorityRank, forKey: .priorityRank); try c.encode(lead, forKey: .lead)
        try c.encode(timeframe, forKey: .timeframe); try c.encode(timeframeText, forKey: .timeframeText)
        try c.encode(timeframeTextDe, forKey: .timeframeTextDe); try c.encode(status, forKey: .status)
        try c.encode(progress, forKey: .progress); try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(notes, forKey: .notes)
    }
}

/// The body of `PATCH /v1/implementation-items/{item_id}`: only what is sent changes.
public struct ImplementationChange: Codable, Sendable {
    public var lead: [String]?
    public var timeframe: Timeframe?
    public var status: ImplementationStatus?
    public var progress: Int?
    public var note: String?

    public init(lead: [String]? = nil, timeframe: Timeframe? = nil, status: ImplementationStatus? = nil,
                progress: Int? = nil, note: String? = nil) {
        self.lead = lead; self.timeframe = timeframe; self.status = status; self.progress = progress; self.note = note
    }

    public var isEmpty: Bool { lead == nil && timeframe == nil && status == nil && progress == nil && note == nil }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        if isEmpty { errors.append(.init("", "send at least one of lead, timeframe, status, progress, note")) }
        if let lead {
            if lead.count > 20 { errors.append(.init("lead", "must name at most 20 organisations")) }
            for (i, name) in lead.enumerated() { Check.text(name, "lead[\(i)]", max: 300, into: &errors) }
        }
        if let progress, !(0...100).contains(progress) { errors.append(.init("progress", "must be from 0 to 100")) }
        if let note { Check.text(note, "note", max: 5_000, into: &errors) }
        errors += timeframe?.violations() ?? []
        return errors
    }
}
