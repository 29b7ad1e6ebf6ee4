import Foundation
import WerkstattDomain
import WerkstattStore

/// Setting a workshop up and moving it through its phases: moderators and admins.
extension UseCases {
    /// Creates a workshop: an admin (or the command line) does; members never.
    public func createWorkshop(_ new: NewWorkshop, by caller: Caller) async throws -> Workshop {
        if case .member = caller { throw RuleError.forbidden("only an admin may create workshops") }
        return try await repositories.workshops.create(new, by: caller)
    }

    /// Adds one member.
    public func addMember(_ new: NewMember, to workshop: Workshop, by caller: Caller) async throws -> Member {
        try setUp(workshop, by: caller)
        return try await repositories.members.create(new, in: workshop.id, by: caller)
    }

    /// Adds members from an import, all or none, with a token each (shown once).
    public func importMembers(_ rows: [ImportedMember], into workshop: Workshop, createOrganisations: Bool,
                              expiresAt: Date?, by caller: Caller) async throws -> [Member] {
        try setUp(workshop, by: caller)
        return try await repositories.members.importMembers(rows, into: workshop.id, createOrganisations: createOrganisations,
                                                            expiresAt: expiresAt, by: caller)
    }

    /// Corrects a member's name, organisation or stakeholder group.
    public func updateMember(_ member: Member, in workshop: Workshop, with change: MemberChange,
                             by caller: Caller) async throws -> Member {
        try setUp(workshop, by: caller)
        return try await repositories.members.update(member.id, with: change, by: caller)
    }

    public func createWorkingGroup(_ new: NewWorkingGroup, in workshop: Workshop, by caller: Caller) async throws -> WorkingGroup {
        try setUp(workshop, by: caller)
        return try await repositories.workingGroups.create(new, in: workshop.id, by: caller)
    }

    public func createEvent(_ new: NewEvent, in workshop: Workshop, by caller: Caller) async throws -> Event {
        try setUp(workshop, by: caller)
        return try await repositories.events.create(new, in: workshop.id, by: caller)
    }

    /// Changes the workshop's settings (k, the public report, the opinion map's minimum).
    public func updateWorkshop(_ workshop: Workshop, with change: WorkshopChange, by caller: Caller) async throws -> Workshop {
        try setUp(workshop, by: caller)
        return try await repositories.workshops.update(workshop.id, with: change, by: caller)
    }

    /// Moves the phase; which moves are allowed is checked by the store under a row lock
    /// (`Phase.mayMove`, and no leaving `voting` while a round is open).
    public func movePhase(of workshop: Workshop, to phase: Phase, by caller: Caller) async throws -> Workshop {
        try Access.require(.moderate, of: caller)
        return try await repositories.workshops.setPhase(workshop.id, to: phase, by: caller)
    }

    /// A moderator (or admin) setting the workshop up while it is not closed.
    private func setUp(_ workshop: Workshop, by caller: Caller) throws(RuleError) {
        try Access.require(.moderate, of: caller)
        try Access.require(.setUp, in: workshop)
    }
}
