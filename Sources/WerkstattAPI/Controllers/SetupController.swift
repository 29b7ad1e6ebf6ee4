import Hummingbird
import WerkstattDomain
import WerkstattStore

/// Setting up a workshop: its working groups and events (members: `MembersController`).
struct SetupController {
    let workingGroups: any WorkingGroupRepository
    let events: any EventRepository
    let access: Access

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops/:workshop_id/working-groups", use: createWorkingGroup)
        group.get("workshops/:workshop_id/working-groups", use: listWorkingGroups)
        group.post("workshops/:workshop_id/events", use: createEvent)
        group.get("workshops/:workshop_id/events", use: listEvents)
    }

    @Sendable func createWorkingGroup(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<WorkingGroup> {
        let workshop = try await access.workshopToSetUp(context)
        let new = try await request.decodeJSON(as: NewWorkingGroup.self, context: context)
        return .init(status: .created,
                     response: try await workingGroups.create(new, in: workshop.id, by: try context.requireCaller()))
    }

    @Sendable func listWorkingGroups(_ request: Request, context: AppRequestContext) async throws -> Page<WorkingGroup> {
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: try context.requireCaller())
        return try await workingGroups.list(in: workshop.id, page: try request.pageRequest)
    }

    @Sendable func createEvent(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Event> {
        let workshop = try await access.workshopToSetUp(context)
        let new = try await request.decodeJSON(as: NewEvent.self, context: context)
        return .init(status: .created,
                     response: try await events.create(new, in: workshop.id, by: try context.requireCaller()))
    }

    @Sendable func listEvents(_ request: Request, context: AppRequestContext) async throws -> Page<Event> {
        let workshop = try await access.workshop(try context.id("workshop_id", of: "workshop"), for: try context.requireCaller())
        return try await events.list(in: workshop.id, page: try request.pageRequest)
    }
}
