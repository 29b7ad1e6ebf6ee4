import Hummingbird
import WerkstattDomain
import WerkstattStore

/// Setting up a workshop: its members, working groups and events.
struct SetupController {
    let members: any MemberRepository
    let workingGroups: any WorkingGroupRepository
    let events: any EventRepository
    let access: Access

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops/:workshop_id/members", use: createMember)
        group.get("workshops/:workshop_id/members", use: listMembers)
        group.patch("members/:member_id", use: updateMember)
        group.post("workshops/:workshop_id/working-groups", use: createWorkingGroup)
        group.get("workshops/:workshop_id/working-groups", use: listWorkingGroups)
        group.post("workshops/:workshop_id/events", use: createEvent)
        group.get("workshops/:workshop_id/events", use: listEvents)
    }

    /// The workshop, for a moderator setting it up while it is not closed.
    private func workshopToSetUp(_ context: AppRequestContext) async throws -> Workshop {
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"),
                                                 for: try context.requireCaller(), need: .moderate)
        try Access.require(.setUp, in: workshop)
        return workshop
    }

    @Sendable func createMember(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Member> {
        let workshop = try await workshopToSetUp(context)
        let new = try await request.decodeJSON(as: NewMember.self, context: context)
        let member = try await members.create(new, in: workshop.id, by: try context.requireCaller())
        return .init(status: .created, response: member)
    }

    /// A moderator corrects a member's name, organisation or stakeholder group.
    @Sendable func updateMember(_ request: Request, context: AppRequestContext) async throws -> Member {
        let caller = try context.requireCaller()
        let id = try context.id("member_id", of: "member")
        guard let member = try await members.get(id) else { throw APIError.notFound("member") }
        let workshop = try await access.workshop(owning: member.workshopId, what: "member", for: caller, need: .moderate)
        try Access.require(.setUp, in: workshop)
        let change = try await request.decodeJSON(as: MemberChange.self, context: context)
        return try await members.update(id, with: change, by: caller)
    }

    /// Moderators see who takes part; participants do not need the list.
    @Sendable func listMembers(_ request: Request, context: AppRequestContext) async throws -> Page<Member> {
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"),
                                                 for: try context.requireCaller(), need: .moderate)
        return try await members.list(in: workshop.id, page: try request.pageRequest)
    }

    @Sendable func createWorkingGroup(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<WorkingGroup> {
        let workshop = try await workshopToSetUp(context)
        let new = try await request.decodeJSON(as: NewWorkingGroup.self, context: context)
        return .init(status: .created,
                     response: try await workingGroups.create(new, in: workshop.id, by: try context.requireCaller()))
    }

    @Sendable func listWorkingGroups(_ request: Request, context: AppRequestContext) async throws -> Page<WorkingGroup> {
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: try context.requireCaller())
        return try await workingGroups.list(in: workshop.id, page: try request.pageRequest)
    }

    @Sendable func createEvent(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Event> {
        let workshop = try await workshopToSetUp(context)
        let new = try await request.decodeJSON(as: NewEvent.self, context: context)
        return .init(status: .created,
                     response: try await events.create(new, in: workshop.id, by: try context.requireCaller()))
    }

    @Sendable func listEvents(_ request: Request, context: AppRequestContext) async throws -> Page<Event> {
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: try context.requireCaller())
        return try await events.list(in: workshop.id, page: try request.pageRequest)
    }
}
