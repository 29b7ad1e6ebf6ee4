import Foundation
import WerkstattDomain
import WerkstattRules
import WerkstattStore

/// The Mülheim projects' implementation from the conference in spring 2017 to the end of
/// 2019: each project gets measures led by the bodies the seed names for it, milestones at
/// the end of its timeframe ("2017", "bis 2018", "ab 2017", "fortlaufend"), and a report
/// every quarter, written through the use cases with the quarter's date (`at`), so that
/// `as_of` and the progress report show the list moving.
extension WorkshopBuilder {
    /// Quarter ends from mid-2017 to the end of 2019, at noon UTC.
    static let quarters: [String] = (2017...2019).flatMap { year in
        ["03-31", "06-30", "09-30", "12-31"].map { "\(year)-\($0)" }
    }.filter { $0 >= "2017-06-30" }

    static func noon(_ day: String) -> Date { (Day.start(of: day) ?? Date(timeIntervalSince1970: 0)).addingTimeInterval(43_200) }

    /// The day a project of this timeframe is planned to be finished; nil when it runs on.
    static func plannedEnd(_ timeframe: Timeframe?) -> String? {
        switch timeframe?.kind {
        case .in?, .by?: timeframe?.year.map { "\($0)-12-31" }
        case .range?: timeframe?.toYear.map { "\($0)-12-31" }
        case .from?, .ongoing?, nil: nil
        }
    }

    mutating func trackMeasures(on workshop: Workshop, by moderator: Caller) async throws {
        let list = try await repositories.implementation.list(of: workshop.id, for: .moderators)
        let start = "2017-03-15"
        let phases = ["Bestandsaufnahme und Konzept", "Umsetzung", "Bericht an die Industriekonferenz"]
        struct Tracked { var measure: MeasureRef; var end: String; var pace: Double; var dropped: Bool; var milestone: Milestone?; var reported = 0 }
        var tracked: [UUID: [Tracked]] = [:]
        var split: Set<UUID> = []
        for (index, item) in list.items.enumerated() {
            let end = Self.plannedEnd(item.timeframe)
            // Ongoing projects run in yearly cycles and report each year; the others end with their timeframe.
            let horizon = end ?? "2019-12-31"
            let leads = item.lead.isEmpty ? ["Stadt Mülheim an der Ruhr"] : item.lead
            var measures: [Tracked] = []
            for (p, phase) in phases.enumerated() {
                let share = Double(p + 1) / Double(phases.count)
                let due = Self.day(between: start, and: horizon, share: share)
                let milestone = Milestone(title: p == 2 ? "Bericht vorgelegt" : "\(phase) abgeschlossen", due: due)
                let created = try await useCases.createMeasure(
                    NewMeasure(title: phase, lead: [leads[p % leads.count]], timeframe: item.timeframe,
                               weight: p == 1 ? 2 : nil, milestones: [milestone]),
                    in: item.id, of: workshop, by: moderator, at: Self.noon(start))
                let ref = MeasureRef(id: created.id, itemId: item.id, workshopId: workshop.id)
                // Some projects lag behind their plan; one measure in twenty is given up.
                measures.append(Tracked(measure: ref, end: due, pace: 0.55 + random.unit() * 0.6,
                                        dropped: p == 1 && random.unit() < 0.05, milestone: milestone))
            }
            // The implementation step of every third project is split by lead: a level deeper.
            if index % 3 == 0 {
                split.insert(measures[1].measure.id)
                for lead in leads.prefix(2) {
                    let sub = try await useCases.createMeasure(
                        NewMeasure(parentId: measures[1].measure.id, title: "Umsetzung: \(lead)", lead: [lead]),
                        in: item.id, of: workshop, by: moderator, at: Self.noon(start))
                    measures.append(Tracked(measure: MeasureRef(id: sub.id, itemId: item.id, workshopId: workshop.id),
                                            end: measures[1].end, pace: measures[1].pace, dropped: false, milestone: nil))
                }
            }
            tracked[item.id] = measures
            _ = try await useCases.updateImplementationItem(
                item.id, in: workshop, with: ImplementationChange(note: "Projekt von der Industriekonferenz beschlossen.",
                                                                  reviewDue: .set("2017-09-30")),
                by: moderator, at: Self.noon(start))
        }
        for quarter in Self.quarters {
            let at = Self.noon(quarter)
            for item in list.items {
                guard let measures = tracked[item.id] else { continue }
                for (index, entry) in measures.enumerated() {
                    if entry.dropped {
                        if quarter == "2018-06-30" {
                            _ = try await useCases.updateMeasure(
                                entry.measure, in: workshop,
                                with: MeasureChange(status: .set(.dropped), note: "Zurückgestellt: Förderung nicht bewilligt."),
                                by: moderator, at: at)
                        }
                        continue
                    }
                    let planned = Self.fraction(of: quarter, from: start, to: entry.end)
                    let progress = min(100, Int((planned * entry.pace * 100).rounded()))
                    var milestones: [Milestone]?
                    if progress >= 100, var milestone = entry.milestone, milestone.done == nil {
                        milestone.done = quarter
                        milestones = [milestone]
                        tracked[item.id]?[index].milestone = milestone
                    }
                    // A measure with sub-measures reports through them; only its milestone is its own.
                    if split.contains(entry.measure.id) {
                        if let milestones {
                            _ = try await useCases.updateMeasure(entry.measure, in: workshop,
                                                                 with: MeasureChange(milestones: milestones), by: moderator, at: at)
                        }
                        continue
                    }
                    guard progress != entry.reported else { continue }
                    tracked[item.id]?[index].reported = progress
                    _ = try await useCases.updateMeasure(
                        entry.measure, in: workshop,
                        with: MeasureChange(status: .set(progress >= 100 ? .done : .inProgress), progress: progress,
                                            milestones: milestones),
                        by: moderator, at: at)
                }
                // The lead reports twice a year and sets the next report's date; a few fall silent in 2019.
                if quarter.hasSuffix("-06-30") || quarter.hasSuffix("-12-31"), !(quarter >= "2019-06-30" && item.position % 4 == 0) {
                    let next = quarter.hasSuffix("-06-30") ? "\(quarter.prefix(4))-12-31" : "\((Int(quarter.prefix(4)) ?? 2019) + 1)-06-30"
                    _ = try await useCases.updateImplementationItem(
                        item.id, in: workshop,
                        with: ImplementationChange(note: "Sachstandsbericht \(quarter.prefix(4)) \(quarter.hasSuffix("06-30") ? "I" : "II").",
                                                   reviewDue: .set(next)),
                        by: moderator, at: at)
                }
            }
        }
    }

    /// The day `share` of the way from `start` to `end`.
    static func day(between start: String, and end: String, share: Double) -> String {
        guard let a = Day.start(of: start), let b = Day.start(of: end) else { return end }
        return Day.of(a.addingTimeInterval(b.timeIntervalSince(a) * share))
    }

    /// How far along `day` is from `start` to `end`, 0…1 (beyond `end`: 1).
    static func fraction(of day: String, from start: String, to end: String) -> Double {
        guard let total = Day.between(start, end), total > 0, let done = Day.between(start, day) else { return 1 }
        return min(max(Double(done) / Double(total), 0), 1)
    }
}
