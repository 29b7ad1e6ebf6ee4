import Foundation

/// The workshop's recommendations in priority order, with who does what by when.
public struct ImplementationList: Codable, Sendable, Equatable {
    public var workshopId: UUID
    /// The decisive round the order comes from: the most recently closed one, else the open one.
    public var roundId: UUID?
    /// True while the order comes from an open round's provisional standing.
    public var provisional: Bool
    /// The day the list stands as of (its end, UTC), or nil for now.
    public var asOf: String?
    public var items: [ImplementationItem]

    public init(workshopId: UUID, roundId: UUID?, provisional: Bool, asOf: String? = nil, items: [ImplementationItem]) {
        self.workshopId = workshopId; self.roundId = roundId; self.provisional = provisional; self.asOf = asOf
        self.items = items
    }

    enum CodingKeys: String, CodingKey {
        case provisional, items
        case workshopId = "workshop_id", roundId = "round_id", asOf = "as_of"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(workshopId, forKey: .workshopId)
        try container.encode(roundId, forKey: .roundId)
        try container.encode(provisional, forKey: .provisional)
        try container.encode(asOf, forKey: .asOf)
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
    /// `derived` when the status follows the measures (docs/methods.md).
    public var statusSource: StatusSource
    /// 0–100; rolled up from the measures when the item has any (one decimal).
    public var progress: Double
    public var progressSource: ProgressSource
    /// When the lead must next report (YYYY-MM-DD).
    public var reviewDue: String?
    public var milestones: [Milestone]
    public var updatedAt: Date
    /// Progress notes, oldest first.
    public var notes: [Note]
    /// The measures, as trees.
    public var measures: [Measure]

    public init(id: UUID, position: Int, recommendationId: UUID, code: String, title: String,
                workingGroup: WorkingGroupRef?, priorityRank: Int?, lead: [String], timeframe: Timeframe?,
                status: ImplementationStatus, progress: Double, updatedAt: Date, notes: [Note],
                statusSource: StatusSource = .explicit, progressSource: ProgressSource = .own,
                reviewDue: String? = nil, milestones: [Milestone] = [], measures: [Measure] = []) {
        self.id = id; self.position = position; self.recommendationId = recommendationId; self.code = code
        self.title = title; self.workingGroup = workingGroup; self.priorityRank = priorityRank; self.lead = lead
        self.timeframe = timeframe; self.timeframeText = timeframe?.text()
        self.timeframeTextDe = timeframe?.text(german: true); self.status = status; self.progress = progress
        self.updatedAt = updatedAt; self.notes = notes; self.statusSource = statusSource
        self.progressSource = progressSource; self.reviewDue = reviewDue; self.milestones = milestones
        self.measures = measures
    }

    /// The item with its own state and its measures rolled up into what it shows.
    public init(id: UUID, position: Int, recommendationId: UUID, code: String, title: String,
                workingGroup: WorkingGroupRef?, priorityRank: Int?, state: RecordedState, measures records: [MeasureRecord],
                updatedAt: Date, notes: [Note]) {
        let forest = MeasureTree.forest(item: id, records: records)
        let shown = MeasureTree.shown(own: state, children: forest.map(\.share))
        self.init(id: id, position: position, recommendationId: recommendationId, code: code, title: title,
                  workingGroup: workingGroup, priorityRank: priorityRank, lead: state.lead, timeframe: state.timeframe,
                  status: shown.status, progress: MeasureTree.rounded(shown.progress), updatedAt: updatedAt, notes: notes,
                  statusSource: shown.statusSource, progressSource: shown.progressSource, reviewDue: state.reviewDue,
                  milestones: state.milestones, measures: forest.map(\.measure))
    }

    enum CodingKeys: String, CodingKey {
        case id, position, code, title, lead, timeframe, status, progress, notes, milestones, measures
        case recommendationId = "recommendation_id", workingGroup = "working_group"
        case priorityRank = "priority_rank", timeframeText = "timeframe_text"
        case timeframeTextDe = "timeframe_text_de", updatedAt = "updated_at"
        case statusSource = "status_source", progressSource = "progress_source", reviewDue = "review_due"
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
        try c.encode(notes, forKey: .notes); try c.encode(statusSource, forKey: .statusSource)
        try c.encode(progressSource, forKey: .progressSource); try c.encode(reviewDue, forKey: .reviewDue)
        try c.encode(milestones, forKey: .milestones); try c.encode(measures, forKey: .measures)
    }

    /// Every measure of the item, depth first.
    public var allMeasures: [Measure] { measures.flatMap(\.flattened) }
}

/// The body of `PATCH /v1/implementation-items/{item_id}`: only what is sent changes.
/// `"status": null` lets the status follow the measures again; `"review_due": null` clears
/// the review date. Progress is refused (409) on an item that has measures: theirs counts.
public struct ImplementationChange: Decodable, Sendable {
    public var lead: [String]?
    public var timeframe: Timeframe?
    public var status: Update<ImplementationStatus>
    public var progress: Int?
    public var note: String?
    public var reviewDue: Update<String>
    public var milestones: [Milestone]?

    public init(lead: [String]? = nil, timeframe: Timeframe? = nil, status: ImplementationStatus? = nil,
                progress: Int? = nil, note: String? = nil, reviewDue: Update<String> = .keep, milestones: [Milestone]? = nil) {
        self.lead = lead; self.timeframe = timeframe; self.status = status.map { .set($0) } ?? .keep
        self.progress = progress; self.note = note; self.reviewDue = reviewDue; self.milestones = milestones
    }

    enum CodingKeys: String, CodingKey {
        case lead, timeframe, status, progress, note, milestones
        case reviewDue = "review_due"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lead = try c.decodeIfPresent([String].self, forKey: .lead)
        timeframe = try c.decodeIfPresent(Timeframe.self, forKey: .timeframe)
        status = try .decode(.status, in: c)
        progress = try c.decodeIfPresent(Int.self, forKey: .progress)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        reviewDue = try .decode(.reviewDue, in: c)
        milestones = try c.decodeIfPresent([Milestone].self, forKey: .milestones)
    }

    public var isEmpty: Bool {
        lead == nil && timeframe == nil && status.isKeep && progress == nil && note == nil && reviewDue.isKeep
            && milestones == nil
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        if isEmpty {
            errors.append(.init("", "send at least one of lead, timeframe, status, progress, note, review_due, milestones"))
        }
        MeasureRules.check(lead: lead, into: &errors)
        MeasureRules.check(progress: progress, into: &errors)
        MeasureRules.check(reviewDue: reviewDue.value, into: &errors)
        if let note { Check.text(note, "note", max: 5_000, into: &errors) }
        errors += timeframe?.violations() ?? []
        errors += Milestone.violations(milestones ?? [])
        return errors
    }
}
