import Crypto
import Foundation
import Logging
import PostgresNIO
import WerkstattDomain
import WerkstattOpinionMap
import WerkstattVoting

/// Reads everything a workshop's opinion map depends on: its settings, the theses that are
/// not withdrawn, and every stance on them with its member's stakeholder group.
struct OpinionMapLoader {
    let connection: PostgresConnection
    let logger: Logger

    struct Loaded: Sendable {
        var input: OpinionInput
        var theses: [OpinionMapSnapshot.ThesisRef]
        /// SHA-256 of `canonicalText`: the same input always gives the same digest.
        var digest: String
    }

    enum LoadError: Error {
        case noSuchWorkshop(UUID)
        case unknownStance(String)
        case unknownGroup(String)
    }

    func load(_ workshop: UUID) async throws -> Loaded {
        let settings = try await connection.query(
            "SELECT min_group_size, opinion_min_stances FROM workshops WHERE id = \(workshop)", logger: logger)
        guard let (k, minStances) = try await settings.all({
            (Int(try $0.get("min_group_size", as: Int32.self)), Int(try $0.get("opinion_min_stances", as: Int32.self)))
        }).first else {
            throw LoadError.noSuchWorkshop(workshop)
        }
        let thesisRows = try await connection.query("""
            SELECT id, title FROM theses WHERE workshop_id = \(workshop) AND withdrawn_at IS NULL ORDER BY seq
            """, logger: logger)
        var theses: [OpinionMapSnapshot.ThesisRef] = []
        var thesisIndex: [UUID: Int32] = [:]
        for try await (id, title) in thesisRows.decode((UUID, String).self) {
            thesisIndex[id] = Int32(theses.count)
            theses.append(.init(thesisId: id, title: title))
        }
        // Participants are numbered in member-id order: a stable order that says nothing
        // of when anyone joined, and that the map's points never reveal (they carry labels).
        let rows = try await connection.query("""
            SELECT s.member_id, s.thesis_id, s.stance, g.stakeholder_group
              FROM stances s
              JOIN theses t ON t.id = s.thesis_id AND t.withdrawn_at IS NULL
              JOIN member_groups g ON g.member_id = s.member_id
             WHERE s.workshop_id = \(workshop)
             ORDER BY s.member_id, t.seq
            """, logger: logger)
        var canonical = "werkstatt-opinion-input/1\nmin_stances \(minStances)\nmin_group_size \(k)\n"
        for thesis in theses { canonical += "thesis \(thesis.thesisId.text)\n" }
        var groups: [StakeholderGroup] = []
        var stances: [OpinionInput.Stance] = []
        var current: UUID?
        for try await (member, thesis, stanceName, groupName) in rows.decode((UUID, UUID, String, String).self) {
            guard let vote = StanceValue(rawValue: stanceName) else { throw LoadError.unknownStance(stanceName) }
            guard let group = StakeholderGroup(rawValue: groupName) else { throw LoadError.unknownGroup(groupName) }
            guard let index = thesisIndex[thesis] else { continue }
            if member != current {
                current = member
                groups.append(group)
                canonical += "participant \(member.text) \(groupName)\n"
            }
            stances.append(.init(participant: Int32(groups.count - 1), thesis: index, vote: vote))
            canonical += "stance \(index) \(stanceName)\n"
        }
        let input = OpinionInput(groups: groups, thesisCount: theses.count, stances: stances,
                                 minStances: minStances, minGroupSize: k)
        let digest = SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
        return Loaded(input: input, theses: theses, digest: digest)
    }
}
