import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// Setting up a workshop: its working groups and events (members: `MembersController`).
struct SetupController {
    let useCases: UseCases

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops/:workshop_id/working-groups", use: createWorkingGroup)
        group.get("workshops/:workshop_id/working-groups", use: listWorkingGroups)
        group.post("workshops/:workshop_id/events", use: createEvent)
        group.get("workshops/:workshop_id/events", use: listEvents)
    }

    @Sendable func createWorkingGroup(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<WorkingGroup> {
        let workshop = try await context.workshopToSetUp(useCases.access)
        let new = try await request.decodeJSON(as: NewWorkingGroup.self, context: context)
        return .init(status: .created,
                     response: try await useCases.createWorkingGroup(new, in: workshop, by: try context.requireCaller()))
    }

    @Sendable func listWorkingGroups(_ request: Request, context: AppRequestContext) async throws -> Page<WorkingGroup> {
        let workshop = try await context.workshop(useCases.access)
        return try await useCases.repositories.workingGroups.list(in: workshop.id, page: try request.pageRequest)
    }

    @Sendable func createEvent(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Event> {
        let workshop = try await context.workshopToSetUp(useCases.access)
        let new = try await request.decodeJSON(as: NewEvent.self, context: context)
        return .init(status: .created,
                     response: try await useCases.createEvent(new, in: workshop, by: try context.requireCaller()))
    }

    @Sendable func listEvents(_ request: Request, context: AppRequestContext) async throws -> Page<Event> {
        let workshop = try await context.workshop(useCases.access)
        return try await useCases.repositories.events.list(in: workshop.id, page: try request.pageRequest)
    }
}
