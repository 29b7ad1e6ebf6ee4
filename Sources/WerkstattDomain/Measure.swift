import Foundation

/// A calendar day written `YYYY-MM-DD`. "As of" a day means the end of that day in UTC:
/// everything recorded before the next day's 00:00 UTC counts.
public enum Day {
    public static func isValid(_ text: String) -> Bool { Check.isDate(text) }

    /// The first instant after the day (its end, exclusive), in UTC; nil for a malformed day.
    public static func end(of text: String) -> Date? {
        guard isValid(text), let start = start(of: text) else { return nil }
        return start.addingTimeInterval(86_400)
    }

    /// 00:00 UTC of the day. From 1583 on (where Foundation's Gregorian calendar has left
    /// the Julian one behind) counted in whole days from 1970-01-01: the progress report
    /// asks this for every milestone, and a Calendar costs microseconds per call.
    public static func start(of text: String) -> Date? {
        guard isValid(text) else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        if parts[0] >= 1583 {
            return Date(timeIntervalSince1970: Double(daysSinceEpoch(year: parts[0], month: parts[1], day: parts[2])) * 86_400)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    /// Days from 1970-01-01 to a Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The Gregorian date of a day counted from 1970-01-01: the inverse of `daysSinceEpoch`
    /// (H. Hinnant's `civil_from_days`).
    static func civil(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468   // from 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The UTC day of an instant.
    public static func of(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day())
    }

    /// Whole days from `from` to `to` (both `YYYY-MM-DD`); nil if either is malformed.
    public static func between(_ from: String, _ to: String) -> Int? {
        guard let a = start(of: from), let b = start(of: to) else { return nil }
        return Int((b.timeIntervalSince(a) / 86_400).rounded())
    }
}

/// A milestone of an item or a measure: due by a day, done on a day (or not yet).
public struct Milestone: Codable, Sendable, Equatable {
    public var title: String
    public var due: String
    public var done: String?

    public init(title: String, due: String, done: String? = nil) {
        self.title = title; self.due = due; self.done = done
    }

    public static let maxPerOwner = 50

    /// Checks a list of milestones, naming each broken field under `field[i]`.
    public static func violations(_ milestones: [Milestone], field: String = "milestones") -> [FieldError] {
        var errors: [FieldError] = []
        if milestones.count > maxPerOwner { errors.append(.init(field, "must hold at most \(maxPerOwner) milestones")) }
        for (i, milestone) in milestones.enumerated() {
            Check.text(milestone.title, "\(field)[\(i)].title", max: 300, into: &errors)
            if !Day.isValid(milestone.due) { errors.append(.init("\(field)[\(i)].due", "must be a date written YYYY-MM-DD")) }
            if let done = milestone.done, !Day.isValid(done) {
                errors.append(.init("\(field)[\(i)].done", "must be a date written YYYY-MM-DD, or null"))
            }
        }
        return errors
    }
}

/// Whether a status was set by hand or follows from the measures below (docs/methods.md).
public enum StatusSource: String, Codable, Sendable {
    case explicit, derived
}

/// Whether a progress figure is the entity's own or rolled up from its measures.
public enum ProgressSource: String, Codable, Sendable {
    case own, measures
}

/// A field of a PATCH body that may be left alone (absent), cleared (`null`) or set.
public enum Update<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep, clear, set(Value)

    public var value: Value? { if case .set(let value) = self { value } else { nil } }
    public var isKeep: Bool { self == .keep }

    static func decode<Key: CodingKey>(_ key: Key, in container: KeyedDecodingContainer<Key>) throws -> Update
    where Value: Decodable {
        guard container.contains(key) else { return .keep }
        if try container.decodeNil(forKey: key) { return .clear }
        return .set(try container.decode(Value.self, forKey: key))
    }
}

/// The state of an item or a measure as the history keeps it after each change (the jsonb
/// of `implementation_history.state`, written by `implementation_item_state` and
/// `measure_state` in sql/011_measures.sql). Items have no parent, title or weight.
public struct RecordedState: Codable, Sendable, Equatable {
    public var parentId: UUID?
    public var title: String?
    public var lead: [String]
    public var timeframe: Timeframe?
    public var status: ImplementationStatus
    public var statusExplicit: Bool
    /// The entity's own progress; a parent's shown progress is rolled up instead.
    public var progress: Int
    public var weight: Double?
    public var reviewDue: String?
    public var milestones: [Milestone]
    public var archived: Bool

    public init(parentId: UUID? = nil, title: String? = nil, lead: [String] = [], timeframe: Timeframe? = nil,
                status: ImplementationStatus = .planned, statusExplicit: Bool = false, progress: Int = 0,
                weight: Double? = nil, reviewDue: String? = nil, milestones: [Milestone] = [], archived: Bool = false) {
        self.parentId = parentId; self.title = title; self.lead = lead; self.timeframe = timeframe; self.status = status
        self.statusExplicit = statusExplicit; self.progress = progress; self.weight = weight; self.reviewDue = reviewDue
        self.milestones = milestones; self.archived = archived
    }

    enum CodingKeys: String, CodingKey {
        case title, lead, timeframe, status, progress, weight, milestones, archived
        case parentId = "parent_id", statusExplicit = "status_explicit", reviewDue = "review_due"
    }
}

/// A measure (Maßnahme) of an implementation item, with its sub-measures.
public struct Measure: Codable, Sendable, Equatable {
    public var id: UUID
    public var itemId: UUID
    public var parentId: UUID?
    public var title: String
    public var lead: [String]
    public var timeframe: Timeframe?
    public var timeframeText: String?
    public var timeframeTextDe: String?
    public var status: ImplementationStatus
    public var statusSource: StatusSource
    /// 0–100, rolled up from the sub-measures when there are any (one decimal).
    public var progress: Double
    public var progressSource: ProgressSource
    public var weight: Double?
    public var reviewDue: String?
    public var milestones: [Milestone]
    public var measures: [Measure]

    public init(id: UUID, itemId: UUID, state: RecordedState, status: ImplementationStatus, statusSource: StatusSource,
                progress: Double, progressSource: ProgressSource, measures: [Measure]) {
        self.id = id; self.itemId = itemId; self.parentId = state.parentId; self.title = state.title ?? ""
        self.lead = state.lead; self.timeframe = state.timeframe; self.timeframeText = state.timeframe?.text()
        self.timeframeTextDe = state.timeframe?.text(german: true); self.status = status; self.statusSource = statusSource
        self.progress = progress; self.progressSource = progressSource; self.weight = state.weight
        self.reviewDue = state.reviewDue; self.milestones = state.milestones; self.measures = measures
    }

    enum CodingKeys: String, CodingKey {
        case id, title, lead, timeframe, status, progress, weight, milestones, measures
        case itemId = "item_id", parentId = "parent_id", timeframeText = "timeframe_text"
        case timeframeTextDe = "timeframe_text_de", statusSource = "status_source", progressSource = "progress_source"
        case reviewDue = "review_due"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(itemId, forKey: .itemId); try c.encode(parentId, forKey: .parentId)
        try c.encode(title, forKey: .title); try c.encode(lead, forKey: .lead); try c.encode(timeframe, forKey: .timeframe)
        try c.encode(timeframeText, forKey: .timeframeText); try c.encode(timeframeTextDe, forKey: .timeframeTextDe)
        try c.encode(status, forKey: .status); try c.encode(statusSource, forKey: .statusSource)
        try c.encode(progress, forKey: .progress); try c.encode(progressSource, forKey: .progressSource)
        try c.encode(weight, forKey: .weight); try c.encode(reviewDue, forKey: .reviewDue)
        try c.encode(milestones, forKey: .milestones); try c.encode(measures, forKey: .measures)
    }

    /// This measure and every measure below it, depth first.
    public var flattened: [Measure] { [self] + measures.flatMap(\.flattened) }
}

/// Shared rules of the measure bodies.
enum MeasureRules {
    static func check(lead: [String]?, into errors: inout [FieldError]) {
        guard let lead else { return }
        if lead.count > 20 { errors.append(.init("lead", "must name at most 20 organisations")) }
        for (i, name) in lead.enumerated() { Check.text(name, "lead[\(i)]", max: 300, into: &errors) }
    }

    static func check(progress: Int?, into errors: inout [FieldError]) {
        if let progress, !(0...100).contains(progress) { errors.append(.init("progress", "must be from 0 to 100")) }
    }

    static func check(weight: Double?, into errors: inout [FieldError]) {
        if let weight, !(weight > 0 && weight <= 1_000_000) {
            errors.append(.init("weight", "must be greater than 0 (and at most 1000000), or null for none"))
        }
    }

    static func check(reviewDue: String?, into errors: inout [FieldError]) {
        if let reviewDue, !Day.isValid(reviewDue) {
            errors.append(.init("review_due", "must be a date written YYYY-MM-DD, or null"))
        }
    }
}

/// The body of `POST /v1/implementation-items/{item_id}/measures`.
public struct NewMeasure: Codable, Sendable {
    public var parentId: UUID?
    public var title: String
    public var lead: [String]?
    public var timeframe: Timeframe?
    public var status: ImplementationStatus?
    public var progress: Int?
    public var weight: Double?
    public var reviewDue: String?
    public var milestones: [Milestone]?

    public init(parentId: UUID? = nil, title: String, lead: [String]? = nil, timeframe: Timeframe? = nil,
                status: ImplementationStatus? = nil, progress: Int? = nil, weight: Double? = nil,
                reviewDue: String? = nil, milestones: [Milestone]? = nil) {
        self.parentId = parentId; self.title = title; self.lead = lead; self.timeframe = timeframe; self.status = status
        self.progress = progress; self.weight = weight; self.reviewDue = reviewDue; self.milestones = milestones
    }

    enum CodingKeys: String, CodingKey {
        case title, lead, timeframe, status, progress, weight, milestones
        case parentId = "parent_id", reviewDue = "review_due"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(title, "title", max: 300, into: &errors)
        MeasureRules.check(lead: lead, into: &errors)
        MeasureRules.check(progress: progress, into: &errors)
        MeasureRules.check(weight: weight, into: &errors)
        MeasureRules.check(reviewDue: reviewDue, into: &errors)
        errors += timeframe?.violations() ?? []
        errors += Milestone.violations(milestones ?? [])
        return errors
    }
}

/// The body of `PATCH /v1/implementation-items/{item_id}/measures/{measure_id}`: only what
/// is sent changes; `null` clears weight, review date or timeframe, and `"status": null`
/// lets the status follow the sub-measures again.
public struct MeasureChange: Decodable, Sendable {
    public var title: String?
    public var lead: [String]?
    public var timeframe: Update<Timeframe>
    public var status: Update<ImplementationStatus>
    public var progress: Int?
    public var weight: Update<Double>
    public var reviewDue: Update<String>
    public var milestones: [Milestone]?
    public var note: String?

    public init(title: String? = nil, lead: [String]? = nil, timeframe: Update<Timeframe> = .keep,
                status: Update<ImplementationStatus> = .keep, progress: Int? = nil, weight: Update<Double> = .keep,
                reviewDue: Update<String> = .keep, milestones: [Milestone]? = nil, note: String? = nil) {
        self.title = title; self.lead = lead; self.timeframe = timeframe; self.status = status; self.progress = progress
        self.weight = weight; self.reviewDue = reviewDue; self.milestones = milestones; self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case title, lead, timeframe, status, progress, weight, milestones, note
        case reviewDue = "review_due"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        lead = try c.decodeIfPresent([String].self, forKey: .lead)
        timeframe = try .decode(.timeframe, in: c)
        status = try .decode(.status, in: c)
        progress = try c.decodeIfPresent(Int.self, forKey: .progress)
        weight = try .decode(.weight, in: c)
        reviewDue = try .decode(.reviewDue, in: c)
        milestones = try c.decodeIfPresent([Milestone].self, forKey: .milestones)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }

    public var isEmpty: Bool {
        title == nil && lead == nil && timeframe.isKeep && status.isKeep && progress == nil && weight.isKeep
            && reviewDue.isKeep && milestones == nil && note == nil
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        if isEmpty {
            errors.append(.init("", "send at least one of title, lead, timeframe, status, progress, weight, review_due, milestones, note"))
        }
        if let title { Check.text(title, "title", max: 300, into: &errors) }
        MeasureRules.check(lead: lead, into: &errors)
        MeasureRules.check(progress: progress, into: &errors)
        MeasureRules.check(weight: weight.value, into: &errors)
        MeasureRules.check(reviewDue: reviewDue.value, into: &errors)
        if let note { Check.text(note, "note", max: 5_000, into: &errors) }
        errors += timeframe.value?.violations() ?? []
        errors += Milestone.violations(milestones ?? [])
        return errors
    }
}

/// The body of `POST /v1/implementation-items/{item_id}/measures/{measure_id}/move`: the
/// new parent, a measure of the same item, or `null` for the item itself.
public struct MeasureMove: Decodable, Sendable {
    public var parentId: UUID?

    public init(parentId: UUID?) { self.parentId = parentId }

    enum CodingKeys: String, CodingKey { case parentId = "parent_id" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.parentId) else {
            throw DecodingError.keyNotFound(CodingKeys.parentId, .init(codingPath: [], debugDescription: "parent_id is required (null for the item itself)"))
        }
        parentId = try c.decodeIfPresent(UUID.self, forKey: .parentId)
    }

    public func violations() -> [FieldError] { [] }
}
