import Foundation

/// One participatory process, e.g. "StrategieWerkstatt Sachsen 2016–2018".
public struct Workshop: Codable, Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var title: String
    public var description: String?
    public var region: String?
    public var startsOn: String?
    public var endsOn: String?
    public var phase: Phase
    /// Whether anyone may read the workshop's report at `/reports/{slug}` (aggregates only).
    public var publicReport: Bool
    /// k: every per-group figure shown covers at least this many ballots or stances.
    public var minGroupSize: Int
    /// Participants with fewer stances are not placed on the opinion map.
    public var opinionMinStances: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, slug: String, title: String, description: String?, region: String?,
                startsOn: String?, endsOn: String?, phase: Phase, publicReport: Bool = false,
                minGroupSize: Int = Workshop.defaultMinGroupSize,
                opinionMinStances: Int = Workshop.defaultOpinionMinStances, createdAt: Date, updatedAt: Date) {
        self.id = id; self.slug = slug; self.title = title; self.description = description
        self.region = region; self.startsOn = startsOn; self.endsOn = endsOn; self.phase = phase
        self.publicReport = publicReport; self.minGroupSize = minGroupSize; self.opinionMinStances = opinionMinStances
        self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, title, description, region, phase
        case startsOn = "starts_on", endsOn = "ends_on", publicReport = "public_report"
        case minGroupSize = "min_group_size", opinionMinStances = "opinion_min_stances"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    /// The fewest stances that place a participant on the opinion map, unless set.
    public static let defaultOpinionMinStances = 7
    /// The minimum of stances a workshop may choose.
    public static let opinionMinStancesRange = 1...1000

    static func checkOpinionMinStances(_ n: Int?, into errors: inout [FieldError]) {
        if let n, !opinionMinStancesRange.contains(n) {
            errors.append(.init("opinion_min_stances",
                                "must be from \(opinionMinStancesRange.lowerBound) to \(opinionMinStancesRange.upperBound)"))
        }
    }

    /// k when a workshop is created without one (domain.md).
    public static let defaultMinGroupSize = 5
    /// The k a workshop may choose.
    public static let minGroupSizes = 2...50

    static func checkMinGroupSize(_ k: Int?, into errors: inout [FieldError]) {
        if let k, !minGroupSizes.contains(k) {
            errors.append(.init("min_group_size", "must be from \(minGroupSizes.lowerBound) to \(minGroupSizes.upperBound)"))
        }
    }
}

/// The body of `POST /v1/workshops`.
public struct NewWorkshop: Codable, Sendable {
    public var slug: String
    public var title: String
    public var description: String?
    public var region: String?
    public var startsOn: String?
    public var endsOn: String?
    public var publicReport: Bool?
    public var minGroupSize: Int?
    public var opinionMinStances: Int?

    public init(slug: String, title: String, description: String? = nil, region: String? = nil,
                startsOn: String? = nil, endsOn: String? = nil, publicReport: Bool? = nil, minGroupSize: Int? = nil,
                opinionMinStances: Int? = nil) {
        self.slug = slug; self.title = title; self.description = description; self.region = region
        self.startsOn = startsOn; self.endsOn = endsOn; self.publicReport = publicReport
        self.minGroupSize = minGroupSize; self.opinionMinStances = opinionMinStances
    }

    enum CodingKeys: String, CodingKey {
        case slug, title, description, region
        case startsOn = "starts_on", endsOn = "ends_on", publicReport = "public_report"
        case minGroupSize = "min_group_size", opinionMinStances = "opinion_min_stances"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        let slugPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/
        if slug.wholeMatch(of: slugPattern) == nil || slug.count > 80 {
            errors.append(.init("slug", "must be 1 to 80 lower-case letters, digits and single hyphens, e.g. 'sachsen-2016'"))
        }
        Check.text(title, "title", max: 300, into: &errors)
        Check.optionalText(description, "description", max: 20_000, into: &errors)
        Check.optionalText(region, "region", max: 300, into: &errors)
        if let startsOn, !Check.isDate(startsOn) { errors.append(.init("starts_on", "must be a date YYYY-MM-DD")) }
        if let endsOn, !Check.isDate(endsOn) { errors.append(.init("ends_on", "must be a date YYYY-MM-DD")) }
        if let startsOn, let endsOn, Check.isDate(startsOn), Check.isDate(endsOn), endsOn < startsOn {
            errors.append(.init("ends_on", "must not be before starts_on"))
        }
        Workshop.checkMinGroupSize(minGroupSize, into: &errors)
        Workshop.checkOpinionMinStances(opinionMinStances, into: &errors)
        return errors
    }
}

/// The body of `PATCH /v1/workshops/{workshop_id}` (admin or moderator): the settings a
/// running workshop may change. Changing k recounts the workshop's rounds; changing k or
/// the minimum of stances redraws its opinion map.
public struct WorkshopChange: Codable, Sendable {
    public var minGroupSize: Int?
    public var publicReport: Bool?
    public var opinionMinStances: Int?

    public init(minGroupSize: Int? = nil, publicReport: Bool? = nil, opinionMinStances: Int? = nil) {
        self.minGroupSize = minGroupSize; self.publicReport = publicReport; self.opinionMinStances = opinionMinStances
    }

    enum CodingKeys: String, CodingKey {
        case minGroupSize = "min_group_size", publicReport = "public_report", opinionMinStances = "opinion_min_stances"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        if minGroupSize == nil && publicReport == nil && opinionMinStances == nil {
            errors.append(.init("", "name at least one of min_group_size, public_report, opinion_min_stances"))
        }
        Workshop.checkMinGroupSize(minGroupSize, into: &errors)
        Workshop.checkOpinionMinStances(opinionMinStances, into: &errors)
        return errors
    }
}

/// The body of `POST /v1/workshops/{workshop_id}/phase`.
public struct PhaseChange: Codable, Sendable {
    public var phase: Phase
    public init(phase: Phase) { self.phase = phase }
}
