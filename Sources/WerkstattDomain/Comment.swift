import Foundation

/// A contribution to the threaded discussion of a thesis or a recommendation.
public struct Comment: Codable, Sendable, Equatable {
    public var id: UUID
    public var thesisId: UUID?
    public var recommendationId: UUID?
    public var parentId: UUID?
    public var depth: Int
    public var authorId: UUID
    /// Null once hidden: the text stays in the database, but is no longer shown.
    public var body: String?
    public var hidden: Bool
    public var hiddenReason: String?
    public var createdAt: Date

    public init(id: UUID, thesisId: UUID?, recommendationId: UUID?, parentId: UUID?, depth: Int,
                authorId: UUID, body: String?, hidden: Bool, hiddenReason: String?, createdAt: Date) {
        self.id = id; self.thesisId = thesisId; self.recommendationId = recommendationId
        self.parentId = parentId; self.depth = depth; self.authorId = authorId; self.body = body
        self.hidden = hidden; self.hiddenReason = hiddenReason; self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, depth, body, hidden
        case thesisId = "thesis_id", recommendationId = "recommendation_id", parentId = "parent_id"
        case authorId = "author_id", hiddenReason = "hidden_reason", createdAt = "created_at"
    }
}

/// What a comment is about.
public enum CommentSubject: Sendable, Equatable {
    case thesis(UUID)
    case recommendation(UUID)
}

/// The body of `POST …/comments`.
public struct NewComment: Codable, Sendable {
    public var body: String
    public var parentId: UUID?

    public init(body: String, parentId: UUID? = nil) {
        self.body = body; self.parentId = parentId
    }

    enum CodingKeys: String, CodingKey {
        case body
        case parentId = "parent_id"
    }

    public static let maxDepth = 50

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(body, "body", max: 20_000, into: &errors)
        return errors
    }
}

/// The body of `POST /v1/comments/{comment_id}/hide`.
public struct HideComment: Codable, Sendable {
    public var reason: String

    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        Check.text(reason, "reason", max: 2_000, into: &errors)
        return errors
    }
}
