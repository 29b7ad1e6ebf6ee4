import Foundation
import WerkstattVoting

/// A voting round (Abstimmungsrunde): one method and criterion over some recommendations.
public struct Round: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case draft, open, closed
    }

    public var id: UUID
    public var workshopId: UUID
    public var title: String
    public var criterion: String?
    public var method: VotingMethod
    public var pointsPerMember: Int?
    public var maxPointsPerItem: Int?
    public var balance: Balance
    public var results: ResultsVisibility
    public var state: State
    public var recommendationIds: [UUID]
    public var openedAt: Date?
    public var closedAt: Date?
    public var createdAt: Date

    public init(id: UUID, workshopId: UUID, title: String, criterion: String?, method: VotingMethod,
                pointsPerMember: Int?, maxPointsPerItem: Int?, balance: Balance,
                results: ResultsVisibility = .afterClose, state: State,
                recommendationIds: [UUID], openedAt: Date?, closedAt: Date?, createdAt: Date) {
        self.id = id; self.workshopId = workshopId; self.title = title; self.criterion = criterion
        self.method = method; self.pointsPerMember = pointsPerMember; self.maxPointsPerItem = maxPointsPerItem
        self.balance = balance; self.results = results; self.state = state; self.recommendationIds = recommendationIds
        self.openedAt = openedAt; self.closedAt = closedAt; self.createdAt = createdAt
    }

    /// Whether this audience may see the round's standing now (domain.md, "Rules that
    /// protect people and data"): a closed round's result is for everyone who may read
    /// the workshop; an open round's provisional standing for its moderators, and for
    /// every member when the round shows live results; public reports show closed rounds.
    public func showsStanding(to audience: Audience) -> Bool {
        Self.showsStanding(state: state, results: results, to: audience)
    }

    /// Whether this audience sees only the final snapshot of the round: for a closed round,
    /// everyone but moderators (who saw its provisional standing anyway).
    public static func showsOnlyFinal(state: State, to audience: Audience) -> Bool {
        state == .closed && audience != .moderators
    }

    /// The same rule for a round known only by its state and results setting.
    public static func showsStanding(state: State, results: ResultsVisibility, to audience: Audience) -> Bool {
        switch (state, audience) {
        case (.closed, _): true
        // Nothing is counted before a round opens: its standing is the empty ranking.
        case (.draft, _): true
        case (.open, .moderators): true
        case (.open, .members): results == .live
        case (.open, .public): false
        }
    }

    /// The most recommendations one round may hold, whatever its method: below it every
    /// method's snapshot, bootstrap included, stays far within the worker's deadline
    /// (docs/performance.md, "Rounds at the cap").
    public static let maxItems = 200

    enum CodingKeys: String, CodingKey {
        case id, title, criterion, method, balance, state, results
        case workshopId = "workshop_id", pointsPerMember = "points_per_member"
        case maxPointsPerItem = "max_points_per_item", recommendationIds = "recommendation_ids"
        case openedAt = "opened_at", closedAt = "closed_at", createdAt = "created_at"
    }
}

/// Who sees an open round's standing: `after_close` (moderators only, the default) or
/// `live` (every member, for the projector at a workshop evening).
public enum ResultsVisibility: String, Codable, Sendable, CaseIterable {
    case afterClose = "after_close"
    case live
}

/// Who is reading a result; decides what of an open round may be shown.
public enum Audience: Sendable, Equatable {
    /// Moderators of the workshop, admins, and the command line.
    case moderators
    /// Participants and observers of the workshop.
    case members
    /// Anyone, through a public report.
    case `public`
}

extension Balance {
    /// Rule violations of custom shares.
    func violations() -> [FieldError] {
        guard case .custom(let shares) = self else { return [] }
        var errors: [FieldError] = []
        if shares.isEmpty { errors.append(.init("balance.custom", "must give a share to at least one group")) }
        for (group, share) in shares where !(share.isFinite && share >= 0 && share <= 1_000_000) {
            errors.append(.init("balance.custom.\(group.rawValue)", "must be a non-negative number"))
        }
        if !shares.isEmpty, shares.values.reduce(0, +) <= 0 {
            errors.append(.init("balance.custom", "shares must not all be zero"))
        }
        return errors
    }
}

/// The body of `POST /v1/workshops/{workshop_id}/rounds`.
public struct NewRound: Codable, Sendable {
    public var title: String
    public var method: VotingMethod
    public var criterion: String?
    public var recommendationIds: [UUID]?
    public var pointsPerMember: Int?
    public var maxPointsPerItem: Int?
    public var balance: Balance?
    public var results: ResultsVisibility?

    public init(title: String, method: VotingMethod, criterion: String? = nil, recommendationIds: [UUID]? = nil,
                pointsPerMember: Int? = nil, maxPointsPerItem: Int? = nil, balance: Balance? = nil,
                results: ResultsVisibility? = nil) {
        self.title = title; self.method = method; self.criterion = criterion; self.recommendationIds = recommendationIds
        self.pointsPerMember = pointsPerMember; self.maxPointsPerItem = maxPointsPerItem; self.balance = balance
        self.results = results
    }

    enum CodingKeys: String, CodingKey {
        case title, method, criterion, balance, results
        case recommendationIds = "recommendation_ids", pointsPerMember = "points_per_member"
        case maxPointsPerItem = "max_points_per_item"
    }

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(title, "title", max: 300, into: &errors)
        Check.optionalText(criterion, "criterion", max: 2_000, into: &errors)
        if let ids = recommendationIds {
            if ids.isEmpty { errors.append(.init("recommendation_ids", "must list at least one recommendation, or be left out for all")) }
            if Set(ids).count != ids.count { errors.append(.init("recommendation_ids", "must not repeat a recommendation")) }
            if ids.count > Round.maxItems {
                errors.append(.init("recommendation_ids", "must list at most \(Round.maxItems) recommendations (the limit of a round)"))
            }
        }
        if method == .dot {
            let points = pointsPerMember ?? Method.defaultPoints
            if !(1...1_000).contains(points) { errors.append(.init("points_per_member", "must be from 1 to 1000")) }
            if let max = maxPointsPerItem, points >= 1, !(1...points).contains(max) {
                errors.append(.init("max_points_per_item", "must be from 1 to points_per_member (\(points))"))
            }
        } else {
            if pointsPerMember != nil { errors.append(.init("points_per_member", "applies to dot rounds only")) }
            if maxPointsPerItem != nil { errors.append(.init("max_points_per_item", "applies to dot rounds only")) }
        }
        errors += balance?.violations() ?? []
        return errors
    }
}

/// The answer to `PUT /v1/rounds/{round_id}/ballot`, and the caller's own ballot on GET.
public struct BallotReceipt: Codable, Sendable, Equatable {
    public var roundId: UUID
    public var version: Int
    public var recordedAt: Date
    /// The ballot as cast, on `GET` only (a member's own ballot, to that member).
    public var ballot: BallotBody?

    public init(roundId: UUID, version: Int, recordedAt: Date, ballot: BallotBody? = nil) {
        self.roundId = roundId; self.version = version; self.recordedAt = recordedAt; self.ballot = ballot
    }

    enum CodingKeys: String, CodingKey {
        case version, ballot
        case roundId = "round_id", recordedAt = "recorded_at"
    }
}
