import Foundation
import Logging
import PostgresNIO
import WerkstattDomain

/// The record of moderator and admin actions; written in the transaction of the action.
enum AuditLog {
    static func record(
        _ action: String, workshop: UUID?, subject: UUID?, by caller: Caller,
        details: [String: String] = [:], on connection: PostgresConnection, logger: Logger
    ) async throws {
        let json = String(decoding: try JSONEncoder().encode(details), as: UTF8.self)
        var memberId: UUID?
        var adminId: UUID?
        switch caller {
        case .admin(let id): adminId = id
        case .member(let identity): memberId = identity.id
        case .commandLine: break
        }
        try await connection.query("""
            INSERT INTO audit_log (workshop_id, actor_member_id, actor_admin_id, action, subject_id, details)
            VALUES (\(workshop), \(memberId), \(adminId), \(action), \(subject), \(json)::jsonb)
            """, logger: logger)
    }
}
