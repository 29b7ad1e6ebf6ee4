import Foundation
import WerkstattDomain

/// A round's ranking with what a report needs to name it.
public struct RankingReport: Sendable {
    public var workshop: Workshop
    public var round: Round
    public var ranking: Ranking

    public init(workshop: Workshop, round: Round, ranking: Ranking) {
        self.workshop = workshop; self.round = round; self.ranking = ranking
    }
}

/// A printable, self-contained HTML page (no external assets; the chart is inline SVG).
/// Every user-supplied text goes through `escape`. The markup is also well-formed XML.
public struct HTMLReport: Sendable {
    public var language: Language

    public init(language: Language) {
        self.language = language
    }

    /// The ranking of one round.
    public func ranking(_ report: RankingReport) -> String {
        page(title: "\(report.workshop.title) – \(language.text(.ranking)) – \(report.round.title)",
             workshop: report.workshop, body: rankingSection(report))
    }

    /// The implementation list, led by the ranking of the decisive round when there is one,
    /// and followed by the opinion map when one has been drawn.
    public func implementationList(_ list: ImplementationList, workshop: Workshop, decisive: RankingReport?,
                                   opinionMap: OpinionMapSnapshot? = nil) -> String {
        page(title: "\(workshop.title) – \(language.text(.implementationList))", workshop: workshop,
             body: (decisive.map(rankingSection) ?? "") + implementationSection(list) + (opinionMap.map(opinionMapSection) ?? ""))
    }

    /// Escapes text for HTML element content and attribute values.
    public static func escape(_ text: String) -> String {
        // Most text needs nothing escaped: then it is returned as it is, not copied.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<")
                                      || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") })
        else { return text }
        var result = ""
        result.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            // Control characters other than tab and line breaks are not allowed in XML.
            case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    func t(_ label: Label) -> String { Self.escape(language.text(label)) }
    func e(_ text: String) -> String { Self.escape(text) }

    func page(title: String, workshop: Workshop, body: String) -> String {
        var facts: [String] = []
        if let region = workshop.region { facts.append(e(region)) }
        if let from = workshop.startsOn { facts.append(e(from + (workshop.endsOn.map { " – \($0)" } ?? ""))) }
        return """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)" xmlns="http://www.w3.org/1999/xhtml">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>\(e(title))</title>
            <style>
            body { font-family: "Helvetica Neue", Arial, sans-serif; color: #1d2430; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.4; }
            h1 { font-size: 1.7rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #1d5f8a; padding-bottom: 0.2rem; }
            .facts, .meta { color: #555; } .meta span { margin-right: 1.2rem; white-space: nowrap; }
            .badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 0.6rem; font-size: 0.85rem; }
            .provisional { background: #fff1c2; color: #6b5200; } .final { background: #d9f2e0; color: #1f5c33; }
            table { border-collapse: collapse; width: 100%; margin-top: 0.8rem; font-size: 0.9rem; }
            #ranking table { font-size: 0.78rem; } #ranking th { hyphens: auto; }
            th, td { border-bottom: 1px solid #dde2e8; padding: 0.35rem 0.45rem; text-align: left; vertical-align: top; }
            th { background: #f2f5f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
            .bar { background: #e6ecf2; border-radius: 3px; height: 0.7rem; width: 6rem; display: inline-block; vertical-align: middle; }
            .bar > span { display: block; height: 100%; border-radius: 3px; background: #1d5f8a; }
            .status-done { color: #1f5c33; } .status-dropped { color: #8a1d1d; text-decoration: line-through; }
            .digest { font-family: monospace; font-size: 0.75rem; word-break: break-all; }
            footer { margin-top: 3rem; color: #777; font-size: 0.8rem; }
            svg text { font-family: "Helvetica Neue", Arial, sans-serif; }
            @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
            </style>
            </head>
            <body>
            <header>
            <h1>\(e(workshop.title))</h1>
            <p class="facts">\(facts.joined(separator: " · "))</p>
            </header>
            \(body)
            <footer><p>\(t(.secrecy))</p><p>\(t(.generated))</p></footer>
            </body>
            </html>

            """
    }

    private func rankingSection(_ report: RankingReport) -> String {
        let ranking = report.ranking
        var meta = ["<span>\(t(.method)): \(e(language.method(report.round.method)))</span>"]
        if let criterion = report.round.criterion { meta.append("<span>\(t(.criterion)): \(e(criterion))</span>") }
        meta.append("<span>\(t(.ballotsCounted)): \(ranking.ballotsCounted)</span>")
        if ranking.lateMembers > 0 { meta.append("<span>\(t(.lateMembers)): \(ranking.lateMembers)</span>") }
        if let at = ranking.computedAt { meta.append("<span>\(t(.computedAt)): \(e(Table.day(at)))</span>") }
        let badge = ranking.provisional
            ? "<span class=\"badge provisional\">\(t(.provisional))</span>"
            : "<span class=\"badge final\">\(t(.final))</span>"
        var html = """
            <section id="ranking">
            <h2>\(t(.ranking)): \(e(report.round.title)) \(badge)</h2>
            <p class="meta">\(meta.joined())</p>

            """
        if ranking.withheld != nil { return html + "<p>\(t(.untilClose))</p>\n</section>\n" }
        guard !ranking.items.isEmpty else { return html + "<p>\(t(.noRanking))</p>\n</section>\n" }
        html += chart(ranking) + groupTable(ranking)
        if let note = Table.withheldNote(ranking, language: language) { html += "<p class=\"meta\">\(e(note))</p>\n" }
        if let digest = ranking.digest { html += "<p class=\"digest\">\(t(.digest)): \(e(digest))</p>\n" }
        return html + "</section>\n"
    }

    /// Horizontal bars of the score, and beside them each item's rank with its 90 %
    /// interval drawn as a whisker on a rank axis.
    private func chart(_ ranking: Ranking) -> String {
        let items = ranking.items
        let rowHeight = 30.0, top = 34.0
        let labelWidth = 300.0, barWidth = 300.0, gap = 30.0, rankWidth = 250.0
        let width = labelWidth + barWidth + gap + rankWidth + 20
        let height = top + Double(items.count) * rowHeight + 10
        let maxScore = max(items.map(\.score).max() ?? 1, 1e-9)
        let count = max(items.count, 2)
        let rankX = { (rank: Int) -> Double in
            labelWidth + barWidth + gap + Double(rank - 1) / Double(count - 1) * rankWidth
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 \(Int(width)) \(Int(height))" aria-label="\(t(.ranking))">
            <text x="\(labelWidth)" y="16" font-size="12" fill="#555">\(t(.score))</text>
            <text x="\(labelWidth + barWidth + gap)" y="16" font-size="12" fill="#555">\(t(.rank)) · \(t(.rankInterval))</text>
            <line x1="\(rankX(1))" y1="24" x2="\(rankX(count))" y2="24" stroke="#bbb" />
            <text x="\(rankX(1))" y="\(top - 2)" font-size="10" fill="#777" text-anchor="middle">1</text>
            <text x="\(rankX(count))" y="\(top - 2)" font-size="10" fill="#777" text-anchor="middle">\(items.count)</text>

            """
        for (i, item) in items.enumerated() {
            let y = top + Double(i) * rowHeight
            let label = "\(item.rank). \(item.code) – \(item.title)"
            let shown = label.count > 44 ? String(label.prefix(43)) + "…" : label
            let bar = max(item.score / maxScore * barWidth, 0)
            let lo = item.rankInterval.first ?? item.rank, hi = item.rankInterval.last ?? item.rank
            let mid = y + rowHeight / 2
            svg += """
                <g><title>\(e(label)): \(e(language.number(item.score)))</title>
                <text x="0" y="\(mid + 4)" font-size="12">\(e(shown))</text>
                <rect x="\(labelWidth)" y="\(y + 6)" width="\(FixedDecimal.text(bar, decimals: 1))" height="\(rowHeight - 12)" fill="#1d5f8a" rx="2" />
                <text x="\(FixedDecimal.text(labelWidth + bar + 4, decimals: 1))" y="\(mid + 4)" font-size="11" fill="#333">\(e(language.number(item.score)))</text>
                <line x1="\(FixedDecimal.text(rankX(lo), decimals: 1))" y1="\(mid)" x2="\(FixedDecimal.text(rankX(hi), decimals: 1))" y2="\(mid)" stroke="#c2562b" stroke-width="2" />
                <line x1="\(FixedDecimal.text(rankX(lo), decimals: 1))" y1="\(mid - 5)" x2="\(FixedDecimal.text(rankX(lo), decimals: 1))" y2="\(mid + 5)" stroke="#c2562b" stroke-width="2" />
                <line x1="\(FixedDecimal.text(rankX(hi), decimals: 1))" y1="\(mid - 5)" x2="\(FixedDecimal.text(rankX(hi), decimals: 1))" y2="\(mid + 5)" stroke="#c2562b" stroke-width="2" />
                <circle cx="\(FixedDecimal.text(rankX(item.rank), decimals: 1))" cy="\(mid)" r="4.5" fill="#1d2430" />
                </g>

                """
        }
        return svg + "</svg>\n"
    }

    /// Each item's score per stakeholder group, shaded by its share of the row's best.
    private func groupTable(_ ranking: Ranking) -> String {
        let groups = Set(ranking.items.flatMap { $0.byGroup.keys }).sorted {
            (StakeholderGroup(rawValue: $0)?.ordinal ?? 99) < (StakeholderGroup(rawValue: $1)?.ordinal ?? 99)
        }
        guard !groups.isEmpty else { return "" }
        var html = "<h3>\(t(.byGroup))</h3>\n<table>\n<thead><tr><th>\(t(.rank))</th><th>\(t(.code))</th>"
        for group in groups {
            let ballots = ranking.items.first?.byGroup[group]?.ballots ?? 0
            html += "<th>\(e(language.group(group))) <small>(\(ballots))</small></th>"
        }
        html += "<th>\(t(.consensus))</th><th>\(t(.controversy))</th></tr></thead>\n<tbody>\n"
        let best = max(ranking.items.flatMap { $0.byGroup.values.map(\.score) }.max() ?? 1, 1e-9)
        for item in ranking.items {
            html += "<tr><td class=\"num\">\(item.rank)</td><td>\(e(item.code))</td>"
            for group in groups {
                let score = item.byGroup[group]?.score ?? 0
                let alpha = FixedDecimal.text(0.08 + 0.5 * score / best, decimals: 2)
                html += "<td class=\"num\" style=\"background: rgba(29, 95, 138, \(alpha))\">\(e(language.number(score)))</td>"
            }
            html += "<td class=\"num\">\(e(language.number(item.consensus)))</td><td class=\"num\">\(e(language.number(item.controversy)))</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    private func implementationSection(_ list: ImplementationList) -> String {
        var html = """
            <section id="implementation">
            <h2>\(t(.implementationList))\(list.provisional ? " <span class=\"badge provisional\">\(t(.provisional))</span>" : "")</h2>
            <table>
            <thead><tr><th>\(t(.position))</th><th>\(t(.code))</th><th>\(t(.title))</th><th>\(t(.workingGroup))</th><th>\(t(.priorityRank))</th><th>\(t(.lead))</th><th>\(t(.timeframe))</th><th>\(t(.status))</th><th>\(t(.progress))</th></tr></thead>
            <tbody>

            """
        for item in list.items {
            let note = item.notes.last.map { "<br /><small>\(e(Table.day($0.createdAt))): \(e($0.note))</small>" } ?? ""
            html += """
                <tr><td class="num">\(item.position)</td><td>\(e(item.code))</td><td>\(e(item.title))\(note)</td>\
                <td>\(e(item.workingGroup?.code ?? ""))</td><td class="num">\(item.priorityRank.map(String.init) ?? "–")</td>\
                <td>\(item.lead.map(e).joined(separator: "<br />"))</td><td>\(e(item.timeframe?.text(german: language == .de) ?? ""))</td>\
                <td class="status-\(item.status.rawValue.replacingOccurrences(of: "_", with: "-"))">\(e(language.status(item.status)))</td>\
                <td><span class="bar"><span style="width: \(Language.en.number(item.progress))%"></span></span> \(e(language.number(item.progress)))</td></tr>

                """
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }
}
