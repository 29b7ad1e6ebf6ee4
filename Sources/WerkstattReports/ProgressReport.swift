import Foundation
import WerkstattDomain

/// The progress report (Fortschrittsbericht) of a period in HTML, Markdown and CSV.
extension Table {
    /// One row per item: progress then and now, changes in the period, what is overdue.
    public static func progress(_ period: ProgressPeriod, language: Language) -> Table {
        let headers: [Label] = [.workingGroup, .code, .title, .statusThen, .statusNow, .progressThen, .progressNow,
                                .changes, .overdue]
        var rows: [[String]] = []
        var overdueByItem: [UUID: Int] = [:]
        for entry in period.overdue { overdueByItem[entry.itemId, default: 0] += 1 }
        for group in period.groups {
            for row in group.rows {
                let overdue = overdueByItem[row.item.id] ?? 0
                rows.append([group.code ?? "", row.item.code, row.item.title,
                             row.statusThen.map(language.status) ?? language.text(.notRecorded),
                             language.status(row.item.status), row.progressThen.map(language.number) ?? "",
                             language.number(row.item.progress), String(row.changes), String(overdue)])
            }
        }
        return Table(headers: headers.map(language.text), rows: rows)
    }

    /// Overdue entries: item, measure, what is due, since when, how many days late.
    public static func overdue(_ entries: [OverdueEntry], language: Language) -> Table {
        let headers: [Label] = [.code, .title, .lead, .milestone, .due, .daysLate]
        return Table(headers: headers.map(language.text), rows: entries.map { entry in
            [entry.code, entry.title, entry.lead.joined(separator: " / "),
             entry.milestone ?? language.text(.reportLate), entry.due, String(entry.daysLate)]
        })
    }

    /// The report as Markdown: per working group, completed, fell behind, overdue.
    public static func progressMarkdown(_ period: ProgressPeriod, workshop: Workshop, language: Language) -> String {
        let heading = "\(workshop.title) – \(language.text(.progressReport)) \(period.from) – \(period.to)"
        var text = "# " + heading.replacingOccurrences(of: "\n", with: " ") + "\n\n"
        for group in period.groups {
            let name = [group.code, group.title].compactMap { $0 }.joined(separator: " – ")
            text += "## " + (name.isEmpty ? language.text(.noWorkingGroup) : name).replacingOccurrences(of: "\n", with: " ") + "\n\n"
            let rows = Table.progress(ProgressPeriod.only(group, of: period), language: language)
            text += Table(headers: Array(rows.headers.dropFirst()), rows: rows.rows.map { Array($0.dropFirst()) }).markdown() + "\n"
        }
        text += "## \(language.text(.completed))\n\n"
        text += period.completed.isEmpty ? language.text(.nothing) + "\n"
            : Table(headers: [language.text(.code), language.text(.title)],
                    rows: period.completed.map { [$0.code, $0.title] }).markdown()
        text += "\n## \(language.text(.fellBehind))\n\n"
        text += period.fellBehind.isEmpty ? language.text(.nothing) + "\n" : Table.overdue(period.fellBehind, language: language).markdown()
        text += "\n## \(language.text(.overdue)) (\(period.to))\n\n"
        text += period.overdue.isEmpty ? language.text(.nothing) + "\n" : Table.overdue(period.overdue, language: language).markdown()
        return text
    }
}

extension ProgressPeriod {
    /// The period with one working group only (for per-group tables).
    static func only(_ group: Group, of period: ProgressPeriod) -> ProgressPeriod {
        var copy = period
        copy.groups = [group]
        return copy
    }
}

extension HTMLReport {
    /// The printable progress report: per working group each item's progress then and now
    /// with a small timeline, what was completed, then the parts that follow from the list
    /// alone: what fell behind and the overdue list (`overdueSection`), each item's lineage
    /// (`lineageSection`, linked from its row). Written into one string (it runs to
    /// megabytes for a large list), not joined from many small ones.
    public func progress(_ period: ProgressPeriod, workshop: Workshop, overdueSection: String, lineageSection: String) async -> String {
        var body = """
            <section id="progress">
            <h2>\(t(.progressReport)) <span class="badge final">\(e(period.from)) – \(e(period.to))</span></h2>

            """
        body.reserveCapacity(period.groups.reduce(0) { $0 + $1.rows.count } * 2_000 + overdueSection.utf8.count
                             + lineageSection.utf8.count)
        // Each working group's table on a task of its own: they are independent, and their
        // timelines are most of what is left to write once the history has been replayed.
        let tables = await withTaskGroup(of: (index: Int, table: String).self) { tasks in
            for (index, group) in period.groups.enumerated() {
                tasks.addTask { (index, groupTable(group, of: period)) }
            }
            var tables = [String](repeating: "", count: period.groups.count)
            for await written in tasks { tables[written.index] = written.table }
            return tables
        }
        for table in tables { body += table }
        body += "<h3>\(t(.completed))</h3>\n"
        body += period.completed.isEmpty ? "<p>\(t(.nothing))</p>\n"
            : "<ul>\n" + period.completed.map { "<li>\(e($0.code)): \(e($0.title))</li>\n" }.joined() + "</ul>\n"
        body += overdueSection
        body += lineageSection
        return page(title: "\(workshop.title) – \(language.text(.progressReport)) \(period.from) – \(period.to)",
                    workshop: workshop, body: body)
    }

    /// One working group's table: each item's status and progress then and now, its changes
    /// and its timeline.
    private func groupTable(_ group: ProgressPeriod.Group, of period: ProgressPeriod) -> String {
        let name = [group.code, group.title].compactMap { $0 }.joined(separator: " – ")
        var html = """
            <h3>\(e(name.isEmpty ? language.text(.noWorkingGroup) : name))</h3>
            <table>
            <thead><tr><th>\(t(.code))</th><th>\(t(.title))</th><th>\(t(.status))</th><th>\(t(.progressThen))</th><th>\(t(.progressNow))</th><th>\(t(.changes))</th><th>\(t(.period))</th></tr></thead>
            <tbody>

            """
        html.reserveCapacity(group.rows.count * 2_000)
        var timeline = Timeline(period: period, label: t(.progress))
        for row in group.rows {
            let then = row.statusThen.map { language.status($0) } ?? language.text(.notRecorded)
            html += """
                <tr><td><a href="#lineage-\(row.item.id.text)">\(e(row.item.code))</a></td><td>\(e(row.item.title))</td>\
                <td>\(e(then)) → <span class="status-\(row.item.status.rawValue.replacingOccurrences(of: "_", with: "-"))">\(e(language.status(row.item.status)))</span></td>\
                <td class="num">\(row.progressThen.map { e(language.number($0)) } ?? "–")</td><td class="num">\(e(language.number(row.item.progress)))</td>\
                <td class="num">\(row.changes)</td><td>
                """
            timeline?.write(row, into: &html, html: self)
            html += "</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    /// The progress report's overdue part for the period `from`–`to`: what fell behind
    /// in it and everything overdue at its end (`overdue`). It needs only the list.
    public func progressOverdueSection(from: String, to: String, overdue: [OverdueEntry]) -> String {
        var html = ""
        html.reserveCapacity(overdue.count * 2 * 200)
        html += "<h3>\(t(.fellBehind))</h3>\n"
        writeOverdueTable(ProgressPeriod.fellBehind(overdue, from: from), into: &html)
        html += "<h3>\(t(.overdue)) (\(e(to)))</h3>\n"
        writeOverdueTable(overdue, into: &html)
        return html + "</section>\n"
    }

    /// The progress report's lineage section: each item's lineage, items in the report's
    /// order (`ProgressPeriod.grouped`). It needs only the list.
    public func progressLineageSection(_ list: ImplementationList, lineages: [UUID: Lineage]) -> String {
        var html = "<section id=\"lineage\">\n<h2>\(t(.lineage))</h2>\n"
        html.reserveCapacity(list.items.count * 1_200)
        for positions in ProgressPeriod.grouped(list.items) {
            for item in positions.map({ list.items[$0] }) { writeLineage(item, lineage: lineages[item.id], into: &html) }
        }
        return html + "</section>\n"
    }

    /// A table of overdue entries, appended piece by piece (it runs to thousands of rows).
    private func writeOverdueTable(_ entries: [OverdueEntry], into html: inout String) {
        guard !entries.isEmpty else { html += "<p>\(t(.nothing))</p>\n"; return }
        html += "<table>\n<thead><tr><th>\(t(.code))</th><th>\(t(.title))</th><th>\(t(.lead))</th><th>\(t(.milestone))</th><th>\(t(.due))</th><th>\(t(.daysLate))</th></tr></thead>\n<tbody>\n"
        let late = e(language.text(.reportLate))
        for entry in entries {
            html += "<tr><td><a href=\"#lineage-"
            html += entry.itemId.text
            html += "\">"
            html += e(entry.code)
            html += "</a></td><td>"
            html += e(entry.title)
            html += "</td><td>"
            for (index, lead) in entry.lead.enumerated() {
                if index > 0 { html += "<br />" }
                html += e(lead)
            }
            html += "</td><td>"
            html += entry.milestone.map(e) ?? late
            html += "</td><td>"
            html += e(entry.due)
            html += "</td><td class=\"num\">"
            html += String(entry.daysLate)
            html += "</td></tr>\n"
        }
        html += "</tbody>\n</table>\n"
    }

    /// An item's lineage: the theses it came from, the rounds it stood in, its measures.
    private func writeLineage(_ item: ImplementationItem, lineage: Lineage?, into html: inout String) {
        html += "<section id=\"lineage-\(item.id.text)\">\n<h3>\(e(item.code)) – \(e(item.title))</h3>\n"
        if let lineage {
            if !lineage.theses.isEmpty {
                html += "<p>\(t(.thesis)):</p>\n<ul>\n"
                for thesis in lineage.theses {
                    let counts = thesis.stances.map { " (\(t(.agree)) \($0.agree), \(t(.disagree)) \($0.disagree), \(t(.pass)) \($0.pass))" } ?? ""
                    html += "<li>\(e(thesis.title))\(counts)</li>\n"
                }
                html += "</ul>\n"
            }
            if !lineage.rounds.isEmpty {
                html += "<p>\(t(.rounds)):</p>\n<ul>\n"
                for round in lineage.rounds {
                    let rank = round.rank.map { r in
                        "\(t(.rank)) \(r)" + (round.rankInterval.map { " [\($0.first ?? r)–\($0.last ?? r)]" } ?? "")
                    } ?? "–"
                    let digest = round.digest.map { " <span class=\"digest\">\(e($0))</span>" } ?? ""
                    html += "<li>\(e(round.title)): \(rank)\(digest)</li>\n"
                }
                html += "</ul>\n"
            }
        }
        if !item.measures.isEmpty {
            html += "<ul>\n"
            for measure in item.measures { writeMeasure(measure, into: &html) }
            html += "</ul>\n"
        }
        html += "</section>\n"
    }

    private func writeMeasure(_ measure: Measure, into html: inout String) {
        html += "<li>"
        html += e(measure.title)
        html += " – "
        html += e(language.status(measure.status))
        html += ", "
        html += e(language.number(measure.progress))
        html += " %"
        if !measure.lead.isEmpty {
            html += " ("
            for (index, lead) in measure.lead.enumerated() {
                if index > 0 { html += " / " }
                html += e(lead)
            }
            html += ")"
        }
        for milestone in measure.milestones {
            html += "<br /><small>"
            html += t(.milestone)
            html += ": "
            html += e(milestone.title)
            html += ", "
            html += t(.due)
            html += " "
            html += e(milestone.due)
            if let done = milestone.done {
                html += " ✓ "
                html += e(done)
            }
            html += "</small>"
        }
        if !measure.measures.isEmpty {
            html += "\n<ul>\n"
            for child in measure.measures { writeMeasure(child, into: &html) }
            html += "</ul>\n"
        }
        html += "</li>\n"
    }

    /// The small inline SVG of each item: progress over the period as a step line (0–100 %),
    /// milestones due in the period as diamonds (filled when done by the period's end).
    /// Holds what the timelines of one table share: the period's frame and the x of each
    /// due date (the same dates recur across items). Coordinates have one decimal, as
    /// `String(format: "%.1f")` writes them (FixedDecimal).
    struct Timeline {
        static let width = 240.0, height = 48.0, left = 4.0, right = 4.0, top = 6.0, bottom = 10.0
        let from: String
        let to: String
        let start: Date
        let end: Date
        let span: Double
        let head: String
        var dueX: [String: Double?] = [:]

        init?(period: ProgressPeriod, label: String) {
            guard let start = Day.start(of: period.from), let end = Day.end(of: period.to), end > start else { return nil }
            (from, to) = (period.from, period.to)
            self.start = start
            self.end = end
            span = end.timeIntervalSince(start)
            func f(_ value: Double) -> String { FixedDecimal.text(value, decimals: 1) }
            let (width, height, left, right, top, bottom) = (Self.width, Self.height, Self.left, Self.right, Self.top, Self.bottom)
            head = """
                <svg xmlns="http://www.w3.org/2000/svg" role="img" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" aria-label="\(label)">
                <rect x="\(f(left))" y="\(f(top))" width="\(f(width - left - right))" height="\(f(height - top - bottom))" fill="#f2f5f8" />

                """
        }

        func x(_ date: Date) -> Double {
            Self.left + max(0, min(1, date.timeIntervalSince(start) / span)) * (Self.width - Self.left - Self.right)
        }

        func y(_ progress: Double) -> Double { Self.top + (1 - progress / 100) * (Self.height - Self.top - Self.bottom) }

        mutating func write(_ row: ProgressPeriod.Row, into svg: inout String, html: HTMLReport) {
            func f(_ value: Double) { FixedDecimal.append(value, decimals: 1, to: &svg) }
            func point(_ x: Double, _ y: Double) { f(x); svg += ","; f(y) }
            svg += head
            if !row.series.isEmpty {
                svg += "<polyline fill=\"none\" stroke=\"#1d5f8a\" stroke-width=\"2\" points=\""
                var previous: Double?
                for step in row.series {
                    if let previous { point(x(step.at), y(previous)); svg += " " }
                    point(x(step.at), y(step.progress))
                    svg += " "
                    previous = step.progress
                }
                // The line runs on to the period's end at the last step's height.
                if let previous { point(x(end), y(previous)) }
                svg += "\" />\n"
            }
            for milestones in [row.item.milestones] + row.item.allMeasures.map(\.milestones) {
                for milestone in milestones where milestone.due >= from && milestone.due <= to {
                    guard let cx = dueX(milestone.due) else { continue }
                    let done = milestone.done.map { $0 <= to } ?? false
                    let cy = Self.height - Self.bottom / 2
                    svg += "<g><title>\(html.e(milestone.title)): \(html.e(milestone.due))\(milestone.done.map { " ✓ \(html.e($0))" } ?? "")</title>"
                    svg += "<polygon points=\""
                    point(cx, cy - 4); svg += " "; point(cx + 4, cy); svg += " "; point(cx, cy + 4); svg += " "; point(cx - 4, cy)
                    svg += done ? "\" fill=\"#1f5c33\" stroke=\"#1f5c33\" /></g>\n" : "\" fill=\"#fff\" stroke=\"#c2562b\" /></g>\n"
                }
            }
            svg += "</svg>"
        }

        private mutating func dueX(_ due: String) -> Double? {
            if let known = dueX[due] { return known }
            let value = Day.start(of: due).map(x)
            dueX[due] = value
            return value
        }
    }
}
