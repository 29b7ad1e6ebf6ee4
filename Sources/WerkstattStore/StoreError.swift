import PostgresNIO
import WerkstattDomain

/// What a repository reports when a write cannot be done as asked.
public enum StoreError: Error, Equatable, Sendable {
    /// No such row, or one the caller may not see.
    case notFound(String)
    /// The write conflicts with the current state (duplicate code or slug, wrong phase …).
    case conflict(String)
    /// The content breaks a rule, field by field.
    case invalid([FieldError])
    /// The database did not answer in time.
    case unavailable(String)
    /// The process is shutting down and takes no more writes of this kind (ballots).
    case shuttingDown
}

extension StoreError {
    /// The error in words, for the command line.
    public var explanation: String {
        switch self {
        case .notFound(let what): "no such \(what)"
        case .conflict(let detail): detail
        case .invalid(let errors): errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .unavailable(let detail): detail
        case .shuttingDown: "the server is shutting down and takes no more ballots; try again shortly"
        }
    }

    /// Translates constraint violations the database enforces into what they mean to a
    /// client; any other error is passed on unchanged.
    static func translating(_ error: any Error, uniqueMessages: [String: String] = [:]) -> any Error {
        let error = unwrapping(error)
        guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else { return error }
        let constraint = psql.serverInfo?[.constraintName] ?? ""
        switch state {
        case "23505": // unique_violation
            return StoreError.conflict(uniqueMessages[constraint] ?? "already exists (\(constraint))")
        case "23503": // foreign_key_violation
            return StoreError.invalid([FieldError(referenceField(constraint), "refers to nothing that exists in this workshop")])
        case "23514", "22001", "22003", "22007", "22008": // check, too long, out of range, bad date
            return StoreError.invalid([FieldError("", psql.serverInfo?[.message] ?? "invalid value")])
        case "WK409": // a rule the schema enforces on state (sql/005_secrecy.sql)
            return StoreError.conflict(psql.serverInfo?[.message] ?? "conflicts with the workshop's state")
        default:
            return error
        }
    }

    /// The error that made a transaction fail, rather than PostgresNIO's wrapper around it.
    public static func unwrapping(_ error: any Error) -> any Error {
        guard let transaction = error as? PostgresTransactionError,
              let cause = transaction.closureError ?? transaction.commitError ?? transaction.beginError
        else { return error }
        return unwrapping(cause)
    }

    /// The request field behind a foreign-key constraint, by PostgreSQL's default naming.
    private static func referenceField(_ constraint: String) -> String {
        for field in ["working_group_id", "event_id", "organisation_id", "thesis_id", "parent_id"]
        where constraint.contains(field) {
            return field
        }
        return constraint
    }
}
