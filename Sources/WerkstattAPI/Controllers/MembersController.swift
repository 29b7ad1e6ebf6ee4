import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattReports
import WerkstattRules
import WerkstattStore

/// The people of a workshop: adding them one by one or by the thousand, listing them,
/// correcting them, and their tokens' life. All of it is for moderators (and admins).
struct MembersController {
    let useCases: UseCases
    var members: any MemberRepository { useCases.repositories.members }
    var tokens: any TokenRepository { useCases.repositories.tokens }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops/:workshop_id/members", use: create)
        group.post("workshops/:workshop_id/members:import", use: importCSV)
        group.get("workshops/:workshop_id/members", use: list)
        group.patch("members/:member_id", use: update)
        group.post("members/:member_id/token:rotate", use: rotateToken)
        group.delete("members/:member_id/token", use: revokeToken)
    }

    /// The member of a path id, if a moderator of its workshop (or an admin) calls.
    private func moderatedMember(_ context: AppRequestContext) async throws -> Resolved<Member> {
        try await context.resolve("member_id", "member", access: useCases.access, need: .moderate,
                                  load: members.get, workshopOf: \.workshopId)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Member> {
        let workshop = try await context.workshopToSetUp(useCases.access)
        let new = try await request.decodeJSON(as: NewMember.self, context: context)
        let member = try await useCases.addMember(new, to: workshop, by: try context.requireCaller())
        return .init(status: .created, response: member)
    }

    /// Members from a CSV file, all or none; their tokens come back once, as CSV for a
    /// mail merge (default) or JSON (`?format=json`), and are never retrievable again.
    @Sendable func importCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let workshop = try await context.workshopToSetUp(useCases.access)
        let query = request.uri.queryParameters
        let format = query.get("format") ?? "csv"
        guard ["csv", "json"].contains(format) else { throw APIError.invalid([FieldError("format", "must be csv or json")]) }
        let create: Bool
        switch query.get("create_organisations") ?? "false" {
        case "true": create = true
        case "false": create = false
        default: throw APIError.invalid([FieldError("create_organisations", "must be true or false")])
        }
        let expiresAt = try Self.expiry(query.get("expires_at"))
        let text = try await request.text(ofType: ["text/csv", "application/csv"], context: context)
        let rows: [ImportedMember]
        switch MemberImport.parse(text) {
        case .failure(let failure): throw APIError.invalid(failure.errors)
        case .success(let parsed): rows = parsed
        }
        let created = try await useCases.importMembers(rows, into: workshop, createOrganisations: create,
                                                       expiresAt: expiresAt, by: caller)
        // Tokens are secrets: nobody keeps a copy of this answer on the way.
        var headers: HTTPFields = [.cacheControl: "no-store"]
        if format == "json" {
            headers[.contentType] = "application/json"
            let body = try JSONCoding.encoder().encode(MemberImportResult(created: created.count, members: created))
            return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        headers[.contentType] = "text/csv; charset=utf-8; header=present"
        headers[.contentDisposition] = "attachment; filename=\"members-\(workshop.slug)-tokens.csv\""
        return Response(status: .created, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: Table.members(created, withTokens: true).csv())))
    }

    /// Moderators see who takes part, filtered by group, organisation and role; as JSON
    /// pages, or every match as CSV (`?format=csv`, `&delimiter=semicolon`).
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workshop = try await context.workshop(useCases.access, need: .moderate)
        let query = request.uri.queryParameters
        var errors: [FieldError] = []
        var filter = MemberFilter()
        if let text = query.get("stakeholder_group") {
            filter.stakeholderGroup = StakeholderGroup(rawValue: text)
            if filter.stakeholderGroup == nil { errors.append(FieldError("stakeholder_group", "is no stakeholder group")) }
        }
        if let text = query.get("organisation_id") {
            filter.organisationId = UUID(uuidString: text)
            if filter.organisationId == nil { errors.append(FieldError("organisation_id", "must be a UUID")) }
        }
        if let text = query.get("role") {
            filter.role = Role(rawValue: text)
            if filter.role == nil { errors.append(FieldError("role", "must be participant, moderator or observer")) }
        }
        let format = try ExportFormat(request)
        let pageRequest = try request.pageRequest  // checked for CSV too, which lists every match
        guard errors.isEmpty else { throw APIError.invalid(errors) }
        switch format.kind {
        case .json:
            let page = try await members.list(in: workshop.id, filter: filter, page: pageRequest)
            return try Response(status: .ok, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(bytes: JSONCoding.encoder().encode(page))))
        case .csv:
            var all: [Member] = []
            var page = PageRequest(limit: PageRequest.maxLimit)
            while true {
                let next = try await members.list(in: workshop.id, filter: filter, page: page)
                all += next.items
                guard let cursor = next.nextCursor else { break }
                page = try PageRequest(limit: String(PageRequest.maxLimit), cursor: cursor)
            }
            return Response(status: .ok, headers: [.contentType: format.contentType,
                                                   .contentDisposition: "attachment; filename=\"members-\(workshop.slug).csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: Table.members(all, withTokens: false).csv(delimiter: format.delimiter))))
        case .md, .html:
            throw APIError.invalid([FieldError("format", "the member list comes as json or csv")])
        }
    }

    /// A moderator corrects a member's name, organisation or stakeholder group.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Member {
        let member = try await moderatedMember(context)
        try Access.require(.setUp, in: member.workshop)
        let change = try await request.decodeJSON(as: MemberChange.self, context: context)
        return try await useCases.updateMember(member.resource, in: member.workshop, with: change,
                                               by: try context.requireCaller())
    }

    /// A new token for the member (a lost or leaked one stops working at once), shown once.
    @Sendable func rotateToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try await moderatedMember(context)
        let rotation = try await request.decodeJSON(as: TokenRotation.self, context: context)
        try Access.require(.setUp, in: member.workshop)
        guard let issued = try await tokens.rotateMemberToken(member.resource.id, expiresAt: rotation.expiresAt,
                                                              by: try context.requireCaller()) else {
            throw APIError.notFound("member")
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encoder().encode(issued))))
    }

    /// Ends the member's token at once; 404 when it was already revoked.
    @Sendable func revokeToken(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let member = try await moderatedMember(context)
        switch try await tokens.revokeMemberToken(member.resource.id, by: try context.requireCaller()) {
        case nil: throw APIError.notFound("member")
        case false?: throw APIError.notFound("live token of this member")
        case true?: return .noContent
        }
    }

    /// `?expires_at=` of an import: an RFC 3339 time in the future, or none.
    static func expiry(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let date = Date(rfc3339: text) else {
            throw APIError.invalid([FieldError("expires_at", "must be an RFC 3339 time such as 2027-06-30T23:59:59Z")])
        }
        return date
    }
}

/// The JSON answer of a member import.
struct MemberImportResult: Encodable {
    var created: Int
    var members: [Member]
}

extension TokenRotation: ValidatedBody { func violations() -> [FieldError] { [] } }
