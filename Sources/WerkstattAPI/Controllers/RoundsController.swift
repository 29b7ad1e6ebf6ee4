import Foundation
import Hummingbird
import WerkstattDomain
import WerkstattRules
import WerkstattStore
import WerkstattVoting

/// Voting rounds: setting them up, opening and closing, ballots, and the ranking.
struct RoundsController {
    let useCases: UseCases
    let exports: Exports
    let definitions = RoundDefinitions()
    /// Rankings as sent, by snapshot and format (per process: snapshots never change).
    let rendered: RenderedSnapshots
    var rounds: any RoundRepository { useCases.repositories.rounds }
    var access: Access { useCases.access }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("workshops/:workshop_id/rounds", use: create)
        group.get("workshops/:workshop_id/rounds", use: list)
        group.get("rounds/:round_id", use: get)
        group.post("rounds/:round_id/open", use: open)
        group.post("rounds/:round_id/close", use: close)
        group.put("rounds/:round_id/ballot", use: cast)
        group.get("rounds/:round_id/ballot", use: ownBallot)
        group.delete("rounds/:round_id/ballot", use: withdraw)
        group.get("rounds/:round_id/ranking", use: ranking)
        group.get("rounds/:round_id/audit", use: audit)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Round> {
        let workshop = try await context.workshop(access, need: .moderate)
        let new = try await request.decodeJSON(as: NewRound.self, context: context)
        return .init(status: .created, response: try await useCases.createRound(new, in: workshop, by: try context.requireCaller()))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Round> {
        let workshop = try await context.workshop(access)
        return try await rounds.list(in: workshop.id, page: try request.pageRequest)
    }

    /// The round and its workshop, if the caller may see them.
    private func visibleRound(_ context: AppRequestContext, need: Access.Need = .read) async throws -> Resolved<Round> {
        try await context.resolve("round_id", "round", access: access, need: need, load: rounds.get, workshopOf: \.workshopId)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Round {
        try await visibleRound(context).resource
    }

    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> Round {
        let round = try await visibleRound(context, need: .moderate)
        return try await useCases.openRound(round.resource, in: round.workshop, by: try context.requireCaller())
    }

    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> Round {
        let round = try await visibleRound(context, need: .moderate)
        return try await useCases.closeRound(round.resource, by: try context.requireCaller())
    }

    /// The hot path: one query for the token (in the middleware), one shared statement
    /// for the ballot. What a round is about never changes, so it comes from memory; its
    /// state and the workshop's phase are checked by the statement that writes.
    @Sendable func cast(_ request: Request, context: AppRequestContext) async throws -> BallotReceipt {
        let caller = try context.requireCaller()
        let id = try context.id("round_id", of: "round")
        guard let round = try await definitions.round(id, loading: rounds.get) else { throw APIError.notFound("round") }
        // Who may vote, before the body is read (the use case checks it again).
        _ = try useCases.voter(caller, in: round)
        let body = try await request.decodeJSON(as: BallotBody.self, context: context)
        return try await useCases.cast(body, in: round, by: caller)
    }

    @Sendable func ownBallot(_ request: Request, context: AppRequestContext) async throws -> BallotReceipt {
        let round = try await visibleRound(context, need: .contribute).resource
        let member = try Access.contributor(try context.requireCaller())
        guard let receipt = try await rounds.ballot(in: round.id, of: member.id) else {
            throw APIError.notFound("ballot of yours in this round")
        }
        return receipt
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let round = try await visibleRound(context, need: .contribute).resource
        try await useCases.withdrawBallot(in: round, by: try context.requireCaller())
        return .noContent
    }

    /// Aggregates only: the ranking never shows who voted what, and an open round's
    /// standing only to those who may see it. A snapshot's rendering is tagged by the
    /// snapshot and format: a client that has it gets 304 before anything is loaded, and a
    /// reader who finds it again gets the bytes this process rendered before.
    @Sendable func ranking(_ request: Request, context: AppRequestContext) async throws -> Response {
        let resolved = try await visibleRound(context)
        let (round, workshop) = (resolved.resource, resolved.workshop)
        let format = try ExportFormat(request)
        let standing = try await rounds.standing(of: round, for: Access.audience(of: try context.requireCaller()))
        guard case .snapshot(let snapshot) = standing else {
            // Withheld, or nothing computed yet: a few bytes, tagged by their hash.
            let document = try exports.render(try await rounds.ranking(of: round, standing: standing), of: round,
                                               in: workshop, format: format)
            return exports.response(document, format: format, request: request, scope: .members)
        }
        let rendering = SnapshotRendering(snapshot: snapshot, format: format, workshopVersion: workshop.updatedAt)
        let tag = rendering.entityTag
        if let unchanged = Exports.notModified(tag, request: request, scope: .members) { return unchanged }
        let document = try await rendered.document(for: rendering) {
            try exports.render(try await rounds.ranking(of: round, standing: standing), of: round, in: workshop, format: format)
        }
        return Exports.response(document, tag: tag, format: format, scope: .members)
    }

    /// The canonical text behind the final digest, for the round's auditors: moderators
    /// and observers (and admins), once the round is closed.
    /// Tagged by the final snapshot: a client that has it gets 304 before the text is read.
    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let round = try await visibleRound(context).resource
        if case .member(let member) = caller, member.role == .participant {
            throw APIError.forbidden("the audit text is for the round's moderators and observers")
        }
        guard round.state == .closed else {
            throw APIError.conflict("the round is \(round.state.rawValue); its audit text exists once it is closed")
        }
        let notYet = APIError.conflict("the round's final count is not computed yet; try again in a moment")
        guard let snapshot = try await rounds.finalSnapshot(of: round) else { throw notYet }
        let tag = EntityTag(weak: "a\(snapshot.id)-\(snapshot.digest.prefix(16))")
        if let unchanged = Exports.notModified(tag, request: request, scope: .members) { return unchanged }
        guard let audit = try await rounds.audit(of: round, snapshot: snapshot) else { throw notYet }
        let json = ExportFormat(kind: .json)
        let document = ExportDocument(contentType: json.contentType, fileName: "audit.json",
                                      body: String(decoding: try JSONCoding.encoder().encode(audit), as: UTF8.self))
        return Exports.response(document, tag: tag, format: json, scope: .members)
    }
}

extension Round: ResponseCodable {}
extension BallotReceipt: ResponseCodable {}
extension Ranking: ResponseCodable {}
extension NewRound: ValidatedBody {}
extension BallotBody: ValidatedBody { func violations() -> [FieldError] { [] } }
