import Logging
import PostgresNIO

/// Every repository the API needs, backed by one PostgreSQL client.
public struct Repositories: Sendable {
    public var tokens: any TokenRepository
    public var workshops: any WorkshopRepository
    public var organisations: any OrganisationRepository
    public var members: any MemberRepository
    public var workingGroups: any WorkingGroupRepository
    public var events: any EventRepository
    public var theses: any ThesisRepository
    public var comments: any CommentRepository
    public var recommendations: any RecommendationRepository
    public var rounds: any RoundRepository
    public var implementation: any ImplementationRepository
    public var measures: any MeasureRepository
    public var opinionMaps: any OpinionMapRepository

    /// - Parameter ballots: the process's ballot writer, run as a service beside the
    ///   repositories (`buildApplication`); nil writes each ballot alone (the commands).
    public init(postgres client: PostgresClient, logger: Logger, ballots: BallotWriter? = nil) {
        tokens = PostgresTokenRepository(client: client, logger: logger)
        workshops = PostgresWorkshopRepository(client: client, logger: logger)
        organisations = PostgresOrganisationRepository(client: client, logger: logger)
        members = PostgresMemberRepository(client: client, logger: logger)
        workingGroups = PostgresWorkingGroupRepository(client: client, logger: logger)
        events = PostgresEventRepository(client: client, logger: logger)
        theses = PostgresThesisRepository(client: client, logger: logger)
        comments = PostgresCommentRepository(client: client, logger: logger)
        recommendations = PostgresRecommendationRepository(client: client, logger: logger)
        rounds = PostgresRoundRepository(client: client, logger: logger, ballots: ballots)
        implementation = PostgresImplementationRepository(client: client, logger: logger)
        measures = PostgresMeasureRepository(client: client, logger: logger)
        opinionMaps = PostgresOpinionMapRepository(client: client, logger: logger)
    }
}
