import Foundation
import WerkstattDomain

/// A rectangular export: one header row and data rows of text, written as CSV or Markdown.
public struct Table: Sendable, Equatable {
    public var headers: [String]
    public var rows: [[String]]

    /// The ranking as a table: the contract's fields, method extras, then score and
    /// ballots per stakeholder group.
    public static func ranking(_ ranking: Ranking, language: Language) -> Table {
        let groups = Set(ranking.items.flatMap { $0.byGroup.keys }).sorted {
            (StakeholderGroup(rawValue: $0)?.ordinal ?? 99) < (StakeholderGroup(rawValue: $1)?.ordinal ?? 99)
        }
        var headers: [Label] = [.rank, .code, .title, .score, .supporters, .intervalLow, .intervalHigh, .consensus, .controversy]
        switch ranking.method {
        case .score: headers += [.meanGrade, .medianGrade]
        case .ranking: headers += [.borda, .schulzeWins]
        case .dot, .approval: break
        }
        var headerText = headers.map(language.text)
        for group in groups {
            headerText += ["\(language.text(.score)) \(language.group(group))", "\(language.text(.ballots)) \(language.group(group))"]
        }
        let n = language.number
        let rows = ranking.items.map { item -> [String] in
            var row = [String(item.rank), item.code, item.title, n(item.score), String(item.supporters),
                       String(item.rankInterval.first ?? item.rank), String(item.rankInterval.last ?? item.rank),
                       n(item.consensus), n(item.controversy)]
            switch ranking.method {
            case .score: row += [item.meanGrade.map(n) ?? "", item.medianGrade.map(String.init) ?? ""]
            case .ranking: row += [item.borda.map(n) ?? "", item.schulzeWins.map(String.init) ?? ""]
            case .dot, .approval: break
            }
            for group in groups {
                let score = item.byGroup[group]
                row += [score.map { n($0.score) } ?? "", score.map { String($0.ballots) } ?? ""]
            }
            return row
        }
        return Table(headers: headerText, rows: rows)
    }

    /// The implementation list as a table.
    public static func implementationList(_ list: ImplementationList, language: Language) -> Table {
        let headers: [Label] = [.position, .code, .title, .workingGroup, .priorityRank, .lead, .timeframe, .status,
                                .progress, .updatedAt, .latestNote]
        let rows = list.items.map { item -> [String] in
            [String(item.position), item.code, item.title, item.workingGroup?.code ?? "",
             item.priorityRank.map(String.init) ?? "", item.lead.joined(separator: " / "),
             item.timeframe?.text(german: language == .de) ?? "", language.status(item.status),
             language.number(item.progress), Self.day(item.updatedAt), item.notes.last?.note ?? ""]
        }
        return Table(headers: headers.map(language.text), rows: rows)
    }

    /// Members as the import reads them (display_name, role, organisation,
    /// stakeholder_group, email), then their id and, right after an import, their token:
    /// a file for a mail merge.
    public static func members(_ members: [Member], withTokens: Bool) -> Table {
        let headers = ["display_name", "role", "organisation", "stakeholder_group", "email", "member_id"]
            + (withTokens ? ["token"] : [])
        let rows = members.map { member in
            [member.displayName, member.role.rawValue, member.organisationName ?? "", member.stakeholderGroup.rawValue,
             member.email ?? "", member.id.text] + (withTokens ? [member.token ?? ""] : [])
        }
        return Table(headers: headers, rows: rows)
    }

    static func day(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day())
    }

    /// RFC 4180: CRLF line ends, fields quoted when they hold the delimiter, a quote or a
    /// line break, quotes doubled; UTF-8 with a byte-order mark so spreadsheet programs
    /// read umlauts right. Cells that a spreadsheet would run as formulas are neutralised
    /// (`CSV.neutralising`); the imports read them back unchanged.
    public func csv(delimiter: Character = ",") -> String {
        func field(_ cell: String) -> String {
            let text = CSV.neutralising(cell)
            guard text.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        let lines = ([headers] + rows).map { $0.map(field).joined(separator: String(delimiter)) }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The note under a ranking that names the groups pooled or withheld (never their
    /// figures) and k; nil when every group that voted is shown.
    public static func withheldNote(_ ranking: Ranking, language: Language) -> String? {
        guard !ranking.withheldGroups.isEmpty else { return nil }
        let groups = ranking.withheldGroups.map(language.group).joined(separator: ", ")
        return "\(language.text(.pooled)) (k = \(ranking.minGroupSize ?? 0)): \(groups)"
    }

    /// A GitHub-flavoured Markdown table. Markdown renderers pass HTML through, so `&`, `<`
    /// and `>` in cells become entities (no `<img onerror=…>` reaches a reader's browser);
    /// backslashes and pipes are escaped, line breaks become `<br>`.
    public func markdown() -> String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
                .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
        }
        var lines = ["| " + headers.map(cell).joined(separator: " | ") + " |",
                     "|" + String(repeating: " --- |", count: headers.count)]
        lines += rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n") + "\n"
    }
}
