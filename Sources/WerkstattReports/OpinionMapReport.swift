import Foundation
import WerkstattDomain

/// The opinion map as files: Pol.is's export layout, so that tools built for Pol.is read
/// them, and a printable page. Anonymous points and aggregates only.
extension Table {
    /// `participants-votes.csv` in Pol.is's layout: one row per placed participant, by the
    /// map's random label, with their opinion group. Pol.is adds one column per comment with
    /// that participant's vote; Werkstatt leaves those columns out, because a pseudonymous
    /// row of every stance lets anyone who knows a few of a person's stances read all the
    /// others (domain.md: stances are shown per group of at least k only). The count
    /// columns stay empty too: comments name their authors, so a comment count per label
    /// would link it to a name, and vote counts per label would follow a person from one
    /// map to the next, whatever the label.
    public static func opinionParticipants(_ map: OpinionMapSnapshot) -> Table {
        let groupIndex = Dictionary(uniqueKeysWithValues: map.content.groups.enumerated().map { ($1.label, $0) })
        return Table(
            headers: ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"],
            rows: map.content.points.map { point in
                [point.label, groupIndex[point.group].map(String.init) ?? "", "", "", "", ""]
            })
    }

    /// `comments.csv` in Pol.is's layout: one row per thesis with its agree and disagree
    /// counts over all participants. `comment-id` is the thesis's position on the map;
    /// `author-id` stays empty (no member ids in any export of the map), and so do the
    /// times, which the map does not hold.
    public static func opinionTheses(_ map: OpinionMapSnapshot) -> Table {
        Table(
            headers: ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"],
            rows: map.content.theses.enumerated().map { index, thesis in
                ["", "", String(index), "", String(thesis.agree), String(thesis.disagree), "1", thesis.title]
            })
    }

    /// The opinion groups with their sizes and representative theses (Markdown export).
    static func opinionGroups(_ map: OpinionMapSnapshot, language: Language) -> Table {
        let n = language.number
        let headers: [Label] = [.opinionGroup, .size, .thesis, .direction, .groupRate, .restRate, .pValue]
        var rows: [[String]] = []
        for group in map.content.groups {
            if group.representative.isEmpty { rows.append([group.label, String(group.size), "", "", "", "", ""]) }
            for thesis in group.representative {
                rows.append([group.label, String(group.size), thesis.title, language.direction(thesis.direction),
                             n(thesis.groupRate), n(thesis.restRate), language.pValue(thesis.pValue)])
            }
        }
        return Table(headers: headers.map(language.text), rows: rows)
    }

    /// The consensus theses (Markdown export).
    static func opinionConsensus(_ map: OpinionMapSnapshot, language: Language) -> Table {
        let headers: [Label] = [.thesis, .consensus, .agree, .disagree, .pass]
        return Table(headers: headers.map(language.text), rows: map.content.consensus.map {
            [$0.title, language.number($0.consensus), String($0.agree), String($0.disagree), String($0.pass)]
        })
    }

    /// Opinion groups × declared stakeholder groups, as far as k allows.
    static func opinionCrossTable(_ map: OpinionMapSnapshot, language: Language) -> Table {
        let table = map.content.crossTable
        return Table(
            headers: [language.text(.opinionGroup)] + table.columns.map { language.group($0.key) } + [language.text(.total)],
            rows: table.rows.map { [$0.group] + $0.counts.map(String.init) + [String($0.total)] })
    }

    /// The note that names the declared groups not shown in a column of their own, and k.
    static func opinionWithheldNote(_ map: OpinionMapSnapshot, language: Language) -> String? {
        let withheld = map.content.crossTable.withheldGroups
        guard !withheld.isEmpty else { return nil }
        return "\(language.text(.declaredPooled)) (k = \(map.minGroupSize)): "
            + withheld.map { language.group($0.rawValue) }.joined(separator: ", ")
    }

    /// The whole map as Markdown: facts, groups, consensus theses and the cross-table.
    public static func opinionMapMarkdown(_ map: OpinionMapSnapshot, workshop: Workshop, language: Language) -> String {
        var text = "# \(workshop.title.replacingOccurrences(of: "\n", with: " ")) – \(language.text(.opinionMap))\n\n"
        text += "\(language.text(.placed)): \(map.content.placed) · \(language.text(.computedAt)): \(day(map.computedAt))\n\n"
        guard map.content.sufficient else {
            return text + "\(language.text(.mapInsufficient)) (\(map.content.placed) / \(map.content.needed)).\n"
        }
        text += "## \(language.text(.representativeTheses))\n\n" + opinionGroups(map, language: language).markdown()
        text += "\n## \(language.text(.consensusTheses))\n\n" + opinionConsensus(map, language: language).markdown()
        text += "\n## \(language.text(.crossTable))\n\n" + opinionCrossTable(map, language: language).markdown()
        if let note = opinionWithheldNote(map, language: language) { text += "\n" + note + "\n" }
        return text
    }
}

extension HTMLReport {
    /// The opinion map on a page of its own.
    public func opinionMap(_ map: OpinionMapSnapshot, workshop: Workshop) -> String {
        page(title: "\(workshop.title) – \(language.text(.opinionMap))", workshop: workshop, body: opinionMapSection(map))
    }

    /// The opinion map as a report section: scatter plot, groups with their representative
    /// theses, consensus theses and the cross-table.
    func opinionMapSection(_ map: OpinionMapSnapshot) -> String {
        let content = map.content
        var html = """
            <section id="opinion-map">
            <h2>\(t(.opinionMap))</h2>
            <p>\(t(.opinionMapIntro))</p>
            <p class="meta"><span>\(t(.placed)): \(content.placed)</span><span>\(t(.computedAt)): \(e(Table.day(map.computedAt)))</span>
            """
        for (index, component) in content.components.enumerated() {
            html += "<span>\(t(.component)) \(index + 1): \(e(language.number(component.explainedVariance * 100))) % \(t(.explainedVariance))</span>"
        }
        html += "</p>\n"
        guard content.sufficient else {
            return html + "<p>\(t(.mapInsufficient)) (\(content.placed) / \(content.needed)).</p>\n</section>\n"
        }
        html += scatter(content)
        html += "<h3>\(t(.representativeTheses))</h3>\n"
        for group in content.groups {
            html += "<h4><span style=\"color: \(Self.groupColour(group.label))\">●</span> \(t(.opinionGroup)) \(e(group.label)) "
                + "<small>(\(group.size) \(t(.size)))</small></h4>\n"
            guard !group.representative.isEmpty else { continue }
            html += "<table>\n<thead><tr><th>\(t(.thesis))</th><th>\(t(.direction))</th><th>\(t(.groupRate))</th>"
                + "<th>\(t(.restRate))</th><th>\(t(.pValue))</th></tr></thead>\n<tbody>\n"
            for thesis in group.representative {
                html += "<tr><td>\(e(thesis.title))</td><td>\(e(language.direction(thesis.direction)))</td>"
                    + "<td class=\"num\">\(percent(thesis.groupRate))</td><td class=\"num\">\(percent(thesis.restRate))</td>"
                    + "<td class=\"num\">\(e(language.pValue(thesis.pValue)))</td></tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }
        html += "<h3>\(t(.consensusTheses))</h3>\n<table>\n<thead><tr><th>\(t(.thesis))</th><th>\(t(.consensus))</th>"
            + "<th>\(t(.agree))</th><th>\(t(.disagree))</th><th>\(t(.pass))</th></tr></thead>\n<tbody>\n"
        for thesis in content.consensus {
            html += "<tr><td>\(e(thesis.title))</td><td class=\"num\">\(e(language.number(thesis.consensus)))</td>"
                + "<td class=\"num\">\(thesis.agree)</td><td class=\"num\">\(thesis.disagree)</td><td class=\"num\">\(thesis.pass)</td></tr>\n"
        }
        html += "</tbody>\n</table>\n"
        let cross = Table.opinionCrossTable(map, language: language)
        html += "<h3>\(t(.crossTable))</h3>\n<table>\n<thead><tr>" + cross.headers.map { "<th>\(e($0))</th>" }.joined()
            + "</tr></thead>\n<tbody>\n"
        for row in cross.rows {
            html += "<tr>" + row.enumerated().map { $0 == 0 ? "<td>\(e($1))</td>" : "<td class=\"num\">\(e($1))</td>" }.joined() + "</tr>\n"
        }
        html += "</tbody>\n</table>\n"
        if let note = Table.opinionWithheldNote(map, language: language) { html += "<p class=\"meta\">\(e(note))</p>\n" }
        return html + "<p class=\"digest\">\(t(.digest)): \(e(map.inputDigest))</p>\n</section>\n"
    }

    private func percent(_ share: Double) -> String { e(language.number(share * 100)) + " %" }

    /// Colours that stay apart in print and for common colour blindness (Okabe–Ito).
    static func groupColour(_ label: String) -> String {
        let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"]
        let index = Int(label.unicodeScalars.first.map { $0.value } ?? 65) - 65
        return palette[((index % palette.count) + palette.count) % palette.count]
    }

    /// The points on the two components, coloured by opinion group, with a legend.
    private func scatter(_ content: OpinionMapSnapshot.Content) -> String {
        let size = 420.0, margin = 20.0, legendWidth = 160.0
        let extent = max(content.points.map { max(abs($0.x), abs($0.y)) }.max() ?? 1, 1e-9) * 1.05
        func position(_ value: Double, flip: Bool = false) -> String {
            let scaled = (value / extent) * (size / 2 - margin)
            return FixedDecimal.text(size / 2 + (flip ? -scaled : scaled), decimals: 1)
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 \(Int(size + legendWidth)) \(Int(size))" aria-label="\(t(.opinionMap))">
            <rect x="0" y="0" width="\(Int(size))" height="\(Int(size))" fill="#fafbfc" stroke="#dde2e8" />
            <line x1="\(margin)" y1="\(size / 2)" x2="\(size - margin)" y2="\(size / 2)" stroke="#ccc" />
            <line x1="\(size / 2)" y1="\(margin)" x2="\(size / 2)" y2="\(size - margin)" stroke="#ccc" />
            <text x="\(size - margin)" y="\(size / 2 - 4)" font-size="10" fill="#777" text-anchor="end">\(t(.component)) 1</text>
            <text x="\(size / 2 + 4)" y="\(margin + 8)" font-size="10" fill="#777">\(t(.component)) 2</text>

            """
        for point in content.points {
            svg += "<circle cx=\"\(position(point.x))\" cy=\"\(position(point.y, flip: true))\" r=\"3.2\" "
                + "fill=\"\(Self.groupColour(point.group))\" fill-opacity=\"0.75\" />\n"
        }
        for (index, group) in content.groups.enumerated() {
            let y = margin + Double(index) * 22
            svg += """
                <circle cx="\(size + 16)" cy="\(y)" r="6" fill="\(Self.groupColour(group.label))" />
                <text x="\(size + 28)" y="\(y + 4)" font-size="12">\(t(.opinionGroup)) \(e(group.label)) (\(group.size))</text>

                """
        }
        return svg + "</svg>\n"
    }
}

extension Language {
    /// A p-value as a reader takes it in: three decimals, and "< 0.001" below that.
    func pValue(_ p: Double) -> String {
        p < 0.001 ? "< " + number(0.001) : number(p)
    }

    func direction(_ direction: OpinionMapDirection) -> String {
        switch direction {
        case .agree: text(.agree)
        case .disagree: text(.disagree)
        }
    }
}
