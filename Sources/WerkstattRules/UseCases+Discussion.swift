import Foundation
import WerkstattDomain
import WerkstattStore

/// Theses, stances and comments: what members write in their own name.
extension UseCases {
    public func bringInThesis(_ new: NewThesis, in workshop: Workshop, by caller: Caller) async throws -> Thesis {
        let member = try Access.contributor(caller)
        try Access.require(.bringInThesis, in: workshop)
        return try await repositories.theses.create(new, in: workshop.id, author: member.id)
    }

    /// Takes (or replaces) the caller's stance; a withdrawn thesis takes none.
    public func takeStance(_ stance: StanceValue, on thesis: Thesis, in workshop: Workshop,
                           by caller: Caller) async throws -> StanceRecord {
        let member = try Access.contributor(caller)
        try Access.require(.takeStance, in: workshop)
        if thesis.withdrawn { throw RuleError.conflict("the thesis was withdrawn") }
        return try await repositories.theses.setStance(stance, on: thesis.id, by: member.id)
    }

    /// The author or a moderator withdraws a thesis; it stays readable, marked withdrawn.
    public func withdrawThesis(_ thesis: Thesis, in workshop: Workshop, reason: String, by caller: Caller) async throws -> Thesis {
        try Access.requireAuthorOrModerator(thesis.authorId, of: caller)
        try Access.require(.curate, in: workshop)
        return try await repositories.theses.withdraw(thesis.id, reason: reason, by: caller)
    }

    public func comment(_ new: NewComment, on subject: CommentSubject, in workshop: Workshop,
                        by caller: Caller) async throws -> Comment {
        let member = try Access.contributor(caller)
        try Access.require(.comment, in: workshop)
        return try await repositories.comments.create(new, on: subject, in: workshop.id, author: member.id)
    }

    /// A moderator hides a comment with a reason; it stays, marked hidden.
    public func hideComment(_ id: UUID, in workshop: Workshop, reason: String, by caller: Caller) async throws -> Comment {
        try Access.require(.moderate, of: caller)
        try Access.require(.curate, in: workshop)
        return try await repositories.comments.hide(id, reason: reason, by: caller)
    }
}
