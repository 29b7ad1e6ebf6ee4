/// Splits a SQL script into statements at top-level semicolons, minding quotes,
/// comments and dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`).
enum SQLSplitter {
    static func statements(in script: String) -> [String] {
        let chars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0

        func flush() {
            let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty, !isOnlyComments(text) { statements.append(text) }
            current = String.UnicodeScalarView()
        }

        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            switch c {
            case "-" where next == "-":
                while i < chars.count, chars[i] != "\n" { current.append(chars[i]); i += 1 }
                continue
            case "/" where next == "*":
                var depth = 0
                repeat {
                    if chars[i] == "/", i + 1 < chars.count, chars[i + 1] == "*" { depth += 1; current.append("/"); i += 1 }
                    else if chars[i] == "*", i + 1 < chars.count, chars[i + 1] == "/" { depth -= 1; current.append("*"); i += 1 }
                    current.append(chars[i]); i += 1
                } while i < chars.count && depth > 0
                continue
            case "'", "\"":
                current.append(c); i += 1
                while i < chars.count {
                    current.append(chars[i])
                    if chars[i] == c {
                        // A doubled quote is an escaped quote, not the end.
                        if i + 1 < chars.count, chars[i + 1] == c { current.append(c); i += 2; continue }
                        i += 1; break
                    }
                    i += 1
                }
                continue
            case "$":
                if let tag = dollarTag(chars, at: i) {
                    current.append(contentsOf: tag.unicodeScalars); i += tag.unicodeScalars.count
                    let tagScalars = Array(tag.unicodeScalars)
                    while i < chars.count {
                        if chars[i] == "$", i + tagScalars.count <= chars.count,
                           Array(chars[i..<(i + tagScalars.count)]) == tagScalars {
                            current.append(contentsOf: tag.unicodeScalars); i += tagScalars.count
                            break
                        }
                        current.append(chars[i]); i += 1
                    }
                    continue
                }
            case ";":
                flush(); i += 1
                continue
            default:
                break
            }
            current.append(c); i += 1
        }
        flush()
        return statements
    }

    /// The tag opening a dollar-quoted string at `i` (`$$` or `$name$`), if any.
    private static func dollarTag(_ chars: [Unicode.Scalar], at i: Int) -> String? {
        var j = i + 1
        while j < chars.count, chars[j] == "_" || chars[j].properties.isAlphabetic
                || (j > i + 1 && ("0"..."9").contains(chars[j])) {
            j += 1
        }
        guard j < chars.count, chars[j] == "$" else { return nil }
        return String(String.UnicodeScalarView(chars[i...j]))
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy {
            $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty
        }
    }
}
