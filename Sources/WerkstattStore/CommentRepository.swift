import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// Threaded comments on theses and recommendations. Hiding keeps the text.
public protocol CommentRepository: Sendable {
    func create(_ new: NewComment, on subject: CommentSubject, in workshop: UUID, author: UUID) async throws -> Comment
    /// Comments in thread order: each reply right after its parent, siblings oldest first.
    func list(on subject: CommentSubject, page: PageRequest) async throws -> Page<Comment>
    /// The comment and the workshop it belongs to.
    func get(_ id: UUID) async throws -> (comment: Comment, workshop: UUID)?
    func hide(_ id: UUID, reason: String, by caller: Caller) async throws -> Comment
}

public struct PostgresCommentRepository: CommentRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    // A hidden comment's body never leaves the database through this query.
    static let columns = """
        id, workshop_id, thesis_id, recommendation_id, parent_id, depth, path, author_id,
        CASE WHEN hidden_at IS NULL THEN body END AS body,
        hidden_at IS NOT NULL AS hidden, hidden_reason, created_at
        """

    static func comment(_ r: PostgresRandomAccessRow) throws -> Comment {
        Comment(id: try r.get("id"), thesisId: try r.get("thesis_id"),
                recommendationId: try r.get("recommendation_id"), parentId: try r.get("parent_id"),
                depth: Int(try r.get("depth", as: Int32.self)), authorId: try r.get("author_id"),
                body: try r.get("body"), hidden: try r.get("hidden"),
                hiddenReason: try r.get("hidden_reason"), createdAt: try r.get("created_at"))
    }

    public func create(_ new: NewComment, on subject: CommentSubject, in workshop: UUID, author: UUID) async throws -> Comment {
        var thesis: UUID?, recommendation: UUID?
        switch subject {
        case .thesis(let id): thesis = id
        case .recommendation(let id): recommendation = id
        }
        if let parent = new.parentId {
            let rows = try await client.query(
                "SELECT thesis_id, recommendation_id, depth FROM comments WHERE id = \(parent)", logger: logger)
            let found = try await rows.all {
                (try $0.get("thesis_id", as: UUID?.self), try $0.get("recommendation_id", as: UUID?.self),
                 Int(try $0.get("depth", as: Int32.self)))
            }.first
            guard let found, found.0 == thesis, found.1 == recommendation else {
                throw StoreError.invalid([FieldError("parent_id", "is not a comment in this discussion")])
            }
            guard found.2 < NewComment.maxDepth else {
                throw StoreError.invalid([FieldError("parent_id", "replies nest at most \(NewComment.maxDepth) levels deep")])
            }
        }
        do {
            return try await client.write("""
                INSERT INTO comments (workshop_id, thesis_id, recommendation_id, parent_id, author_id, body)
                VALUES (\(workshop), \(thesis), \(recommendation), \(new.parentId), \(author), \(new.body))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger, Self.comment)[0]
        } catch {
            throw StoreError.translating(error)
        }
    }

    public func list(on subject: CommentSubject, page: PageRequest) async throws -> Page<Comment> {
        let after = page.after ?? ""
        let query: PostgresQuery = switch subject {
        case .thesis(let id): """
            SELECT \(unescaped: Self.columns) FROM comments
             WHERE thesis_id = \(id) AND path > \(after) ORDER BY path LIMIT \(page.limit + 1)
            """
        case .recommendation(let id): """
            SELECT \(unescaped: Self.columns) FROM comments
             WHERE recommendation_id = \(id) AND path > \(after) ORDER BY path LIMIT \(page.limit + 1)
            """
        }
        let rows = try await client.query(query, logger: logger)
        return page.page(try await rows.all { (try $0.get("path", as: String.self), try Self.comment($0)) })
    }

    public func get(_ id: UUID) async throws -> (comment: Comment, workshop: UUID)? {
        let rows = try await client.query("SELECT \(unescaped: Self.columns) FROM comments WHERE id = \(id)",
                                          logger: logger)
        return try await rows.all { (try Self.comment($0), try $0.get("workshop_id", as: UUID.self)) }.first
    }

    public func hide(_ id: UUID, reason: String, by caller: Caller) async throws -> Comment {
        try await client.withTransaction(logger: logger) { tx in
            // Hiding twice keeps the first record of who hid it and why.
            let rows = try await tx.query("""
                UPDATE comments
                   SET hidden_at = COALESCE(hidden_at, now()),
                       hidden_by = CASE WHEN hidden_at IS NULL THEN \(caller.member?.id) ELSE hidden_by END,
                       hidden_reason = COALESCE(hidden_reason, \(reason))
                 WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let pair = try await rows.all({ (try Self.comment($0), try $0.get("workshop_id", as: UUID.self)) }).first else {
                throw StoreError.notFound("comment")
            }
            try await AuditLog.record("comment.hide", workshop: pair.1, subject: id, by: caller,
                                      details: ["reason": reason], on: tx, logger: logger)
            return pair.0
        }
    }
}
