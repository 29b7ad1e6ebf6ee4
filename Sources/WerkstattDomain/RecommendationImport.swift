/// One recommendation read from an import file.
public struct ImportedRecommendation: Sendable, Equatable {
    public var line: Int
    public var code: String
    public var title: String
    /// Nil when the file has no body column: an existing body is then kept.
    public var body: String?
    public var workingGroupCode: String?
    public var lead: [String]
    public var timeframe: Timeframe?
}

/// Reads recommendations from CSV: columns code, title, body, working_group, lead,
/// timeframe, in English or German spelling (the implementation list's own export reads
/// back). All rows or none: every bad row is reported with its line and reason.
public enum RecommendationImport {
    static let columns: [String: [String]] = [
        "code": ["code", "kürzel", "kuerzel", "nr", "nummer"],
        "title": ["title", "titel", "projekt", "maßnahme", "massnahme"],
        "body": ["body", "description", "beschreibung", "text"],
        "working_group": ["working_group", "working group", "arbeitskreis", "ak", "handlungsfeld"],
        "lead": ["lead", "federführung", "federfuehrung"],
        "timeframe": ["timeframe", "zeitrahmen"],
    ]

    public static func parse(_ text: String) -> Result<[ImportedRecommendation], ImportErrors> {
        let table: CSV.Table
        switch CSV.Table.read(text, columns: columns, expecting: "code and title") {
        case .failure(let failure): return .failure(failure)
        case .success(let read): table = read
        }
        let (header, position) = (table.header, table.position)
        guard let codeColumn = position["code"], let titleColumn = position["title"] else {
            return .failure(ImportErrors([FieldError("line \(header.line)", "the header needs the columns code and title (found: \(header.fields.joined(separator: ", ")))")]))
        }
        var errors: [FieldError] = []
        var rows: [ImportedRecommendation] = []
        var seen: [String: Int] = [:]
        for record in table.records {
            func value(_ column: String) -> String? {
                guard let i = position[column] else { return nil }
                return i < record.fields.count ? record.fields[i].trimmingCharacters(in: .whitespacesAndNewlines) : ""
            }
            let lineLabel = "line \(record.line)"
            if record.fields.count != header.fields.count {
                errors.append(FieldError(lineLabel, "has \(record.fields.count) fields, the header \(header.fields.count)"))
                continue
            }
            let code = record.fields[codeColumn].trimmingCharacters(in: .whitespaces)
            let title = record.fields[titleColumn].trimmingCharacters(in: .whitespaces)
            var rowErrors: [String] = []
            if code.isEmpty { rowErrors.append("code is empty") }
            if code.count > 40 { rowErrors.append("code is longer than 40 characters") }
            if title.isEmpty { rowErrors.append("title is empty") }
            if title.count > 300 { rowErrors.append("title is longer than 300 characters") }
            if record.fields.contains(where: { $0.unicodeScalars.contains("\u{0}") }) {
                rowErrors.append("contains the NUL character")
            }
            if let first = seen[code], !code.isEmpty { rowErrors.append("code \(code) is already on line \(first)") }
            var timeframe: Timeframe?
            if let text = value("timeframe"), !text.isEmpty {
                timeframe = Timeframe(text: text)
                if timeframe == nil {
                    rowErrors.append("timeframe '\(text)' is not one of: 2017, bis 2018, ab 2017, fortlaufend, 2017–2020 (or by/from/ongoing)")
                }
            }
            let lead = (value("lead") ?? "").split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !rowErrors.isEmpty {
                errors.append(FieldError(lineLabel, rowErrors.joined(separator: "; ")))
                continue
            }
            seen[code] = record.line
            let group = value("working_group").flatMap { $0.isEmpty ? nil : $0 }
            rows.append(ImportedRecommendation(line: record.line, code: code, title: title, body: value("body"),
                                               workingGroupCode: group, lead: lead, timeframe: timeframe))
        }
        if rows.isEmpty && errors.isEmpty { errors.append(FieldError("line 2", "the file has no rows below its header")) }
        return errors.isEmpty ? .success(rows) : .failure(ImportErrors(errors))
    }
}

/// Why an import was refused, row by row.
public struct ImportErrors: Error, Sendable, Equatable {
    public var errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
}

/// What an import did.
public struct ImportSummary: Codable, Sendable, Equatable {
    public var created: Int
    public var updated: Int
    public var unchanged: Int
    public init(created: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.created = created; self.updated = updated; self.unchanged = unchanged
    }
}
