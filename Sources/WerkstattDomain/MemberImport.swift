import Foundation

/// One member read from an import file.
public struct ImportedMember: Sendable, Equatable {
    public var line: Int
    public var displayName: String
    public var role: Role
    /// The organisation's name, matched without regard to letter case; nil for none.
    public var organisation: String?
    public var stakeholderGroup: StakeholderGroup?
    public var email: String?
}

/// Reads members from CSV: columns display_name, role, organisation, stakeholder_group
/// and optionally email (German headers too). All rows or none: every bad row is reported
/// with its line and reason, duplicate addresses in the file included.
public enum MemberImport {
    static let columns: [String: [String]] = [
        "display_name": ["display_name", "display name", "name", "anzeigename"],
        "role": ["role", "rolle"],
        "organisation": ["organisation", "organization", "akteur"],
        "stakeholder_group": ["stakeholder_group", "stakeholder group", "akteursgruppe", "gruppe"],
        "email": ["email", "e-mail", "mail"],
    ]

    /// The most rows one import takes (the body limit of the endpoint allows about that).
    public static let maxRows = 20_000

    public static func parse(_ text: String) -> Result<[ImportedMember], ImportErrors> {
        let table: CSV.Table
        switch CSV.Table.read(text, columns: columns, expecting: "display_name, role, organisation, stakeholder_group and email") {
        case .failure(let failure): return .failure(failure)
        case .success(let read): table = read
        }
        let (header, position) = (table.header, table.position)
        let missing = ["display_name", "role", "organisation", "stakeholder_group"].filter { position[$0] == nil }
        guard missing.isEmpty else {
            return .failure(ImportErrors([FieldError("line \(header.line)", "the header needs the columns display_name, role, organisation, stakeholder_group (and optionally email); missing: \(missing.joined(separator: ", "))")]))
        }
        guard table.records.count <= maxRows else {
            return .failure(ImportErrors([FieldError("line \(header.line)", "at most \(maxRows) members per import; this file has \(table.records.count)")]))
        }
        var errors: [FieldError] = []
        var rows: [ImportedMember] = []
        var emails: [String: Int] = [:]
        for record in table.records {
            let lineLabel = "line \(record.line)"
            guard record.fields.count == header.fields.count else {
                errors.append(FieldError(lineLabel, "has \(record.fields.count) fields, the header \(header.fields.count)"))
                continue
            }
            func value(_ column: String) -> String? {
                guard let i = position[column] else { return nil }
                let text = record.fields[i].trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty ? nil : text
            }
            var rowErrors: [FieldError] = []
            let name = value("display_name") ?? ""
            Check.text(name, "display_name", max: 200, into: &rowErrors)
            let role = value("role").flatMap { Role(rawValue: $0.lowercased()) }
            if role == nil {
                rowErrors.append(.init("role", "must be participant, moderator or observer (found '\(value("role") ?? "")')"))
            }
            var group: StakeholderGroup?
            if let text = value("stakeholder_group") {
                group = StakeholderGroup(rawValue: text.lowercased())
                if group == nil {
                    rowErrors.append(.init("stakeholder_group", "must be one of \(StakeholderGroup.allCases.map(\.rawValue).joined(separator: ", ")) (found '\(text)')"))
                }
            }
            let organisation = value("organisation")
            Check.optionalText(organisation, "organisation", max: 300, into: &rowErrors)
            let email = value("email")
            MemberRules.checkEmail(email, "email", into: &rowErrors)
            if let email, rowErrors.isEmpty {
                if let first = emails[email.lowercased()] {
                    rowErrors.append(.init("email", "\(email) is already on line \(first); a person is imported once"))
                } else {
                    emails[email.lowercased()] = record.line
                }
            }
            guard rowErrors.isEmpty, let role else {
                errors.append(FieldError(lineLabel, rowErrors.map { "\($0.field) \($0.message)" }.joined(separator: "; ")))
                continue
            }
            rows.append(ImportedMember(line: record.line, displayName: name, role: role, organisation: organisation,
                                       stakeholderGroup: group, email: email))
        }
        if rows.isEmpty && errors.isEmpty {
            errors.append(FieldError("line \(header.line)", "the file has a header but no members"))
        }
        return errors.isEmpty ? .success(rows) : .failure(ImportErrors(errors))
    }
}
