/// RFC 4180 CSV reading: quoted fields (with doubled quotes and line breaks inside),
/// CRLF or LF line ends, an optional UTF-8 byte-order mark.
public enum CSV {
    /// One record and the line of the file it starts on (1-based).
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    public struct Failure: Error, Sendable, Equatable {
        public var line: Int
        public var message: String
    }

    /// The delimiter of a file: the one of `,` `;` and tab that is most frequent in its first line.
    public static func guessDelimiter(_ text: String) -> Character {
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let counts: [(Character, Int)] = [",", ";", "\t"].map { d in (d, firstLine.filter { $0 == d }.count) }
        return counts.max { $0.1 < $1.1 }.map { $0.1 > 0 ? $0.0 : "," } ?? ","
    }

    public static func parse(_ text: String, delimiter: Character? = nil) throws(Failure) -> [Record] {
        var input = Substring(text)
        if input.first == "\u{FEFF}" { input = input.dropFirst() }
        let delimiter = delimiter ?? guessDelimiter(String(input))
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quotedField = false
        var index = input.startIndex

        func endRecord() {
            fields.append(field)
            fields = fields.map(Self.restoring)
            // A line with nothing on it is not a record.
            if !(fields.count == 1 && fields[0].isEmpty && !quotedField) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []; field = ""; quotedField = false
        }

        while index < input.endIndex {
            let c = input[index]
            input.formIndex(after: &index)
            if inQuotes {
                if c == "\"" {
                    if index < input.endIndex, input[index] == "\"" {
                        field.append("\""); input.formIndex(after: &index)
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !quotedField:
                inQuotes = true; quotedField = true
            case "\"":
                throw Failure(line: line, message: "a quote inside an unquoted field; quote the whole field and double the quote")
            case delimiter:
                fields.append(field); field = ""; quotedField = false
            case "\n", "\r\n", "\r":
                endRecord(); line += 1; recordLine = line
            default:
                if quotedField { throw Failure(line: line, message: "text after a closing quote") }
                field.append(c)
            }
        }
        if inQuotes { throw Failure(line: recordLine, message: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || quotedField { endRecord() }
        return records
    }

    /// An import file: its header, where each known column is (`columns`: column → the
    /// header names that mean it, lower case, English and German), and its data records;
    /// or the line-numbered reason it cannot be read. The imports share this, so every
    /// import reads headers alike.
    public struct Table: Sendable {
        public var header: Record
        public var position: [String: Int]
        public var records: ArraySlice<Record>

        public static func read(_ text: String, columns: [String: [String]],
                                expecting: String) -> Result<Table, ImportErrors> {
            let records: [Record]
            do {
                records = try CSV.parse(text)
            } catch {
                return .failure(ImportErrors([FieldError("line \(error.line)", error.message)]))
            }
            guard let header = records.first else {
                return .failure(ImportErrors([FieldError("line 1", "the file is empty; expected a header with \(expecting)")]))
            }
            var position: [String: Int] = [:]
            for (index, name) in header.fields.enumerated() {
                let normalised = name.trimmingCharacters(in: .whitespaces).lowercased()
                if let column = columns.first(where: { $0.value.contains(normalised) })?.key, position[column] == nil {
                    position[column] = index
                }
            }
            return .success(Table(header: header, position: position, records: records.dropFirst()))
        }
    }

    /// The characters that make a spreadsheet program read a cell as a formula (or, for
    /// tab and carriage return, shift it into one): `=HYPERLINK(…)` in a title must stay text.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "\r\n"]

    /// A cell as CSV exports write it: text that a spreadsheet would run as a formula gets
    /// a leading apostrophe, which spreadsheet programs show as "text follows" (OWASP's
    /// advice against CSV injection).
    public static func neutralising(_ cell: String) -> String {
        guard let first = cell.first, formulaStarts.contains(first) else { return cell }
        return "'" + cell
    }

    /// The inverse, applied to every field read: an apostrophe in front of a formula
    /// character is the one `neutralising` added, so a file this server exported reads
    /// back to the text it holds.
    static func restoring(_ field: String) -> String {
        guard field.first == "'", let second = field.dropFirst().first, formulaStarts.contains(second) else { return field }
        return String(field.dropFirst())
    }
}
