import Foundation

/// The implementation list as JSON, written directly (JSONText): the same text as
/// `JSONEncoder.contract().encode(list)`, in a fraction of the time for a list of hundreds
/// of items with thousands of measures (docs/performance.md, "Implementation tracking").
/// A field added to ImplementationItem or Measure must be added here too; the tests compare
/// both ways of writing a list holding every field.
extension ImplementationList {
    public func json() -> String {
        var json = JSONText(capacity: 512 + items.count * 4_096)
        json.object { json in
            json.key("as_of", first: true); json.string(asOf)
            json.key("items"); json.array(items) { json, item in item.write(to: &json) }
            json.key("provisional"); json.bool(provisional)
            json.key("round_id"); json.uuid(roundId)
            json.key("workshop_id"); json.uuid(workshopId)
        }
        return json.text
    }
}

extension ImplementationItem {
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("code", first: true); json.string(code)
            json.key("id"); json.uuid(id)
            json.key("lead"); json.array(lead) { $0.string($1) }
            json.key("measures"); json.array(measures) { json, measure in measure.write(to: &json) }
            json.key("milestones"); json.array(milestones) { json, milestone in milestone.write(to: &json) }
            json.key("notes"); json.array(notes) { json, note in
                json.object { json in
                    json.key("created_at", first: true); json.date(note.createdAt)
                    json.key("note"); json.string(note.note)
                }
            }
            json.key("position"); json.int(position)
            json.key("priority_rank"); json.int(priorityRank)
            json.key("progress"); json.number(progress)
            json.key("progress_source"); json.string(progressSource.rawValue)
            json.key("recommendation_id"); json.uuid(recommendationId)
            json.key("review_due"); json.string(reviewDue)
            json.key("status"); json.string(status.rawValue)
            json.key("status_source"); json.string(statusSource.rawValue)
            json.key("timeframe"); timeframe.write(to: &json)
            json.key("timeframe_text"); json.string(timeframeText)
            json.key("timeframe_text_de"); json.string(timeframeTextDe)
            json.key("title"); json.string(title)
            json.key("updated_at"); json.date(updatedAt)
            json.key("working_group")
            if let workingGroup {
                json.object { json in
                    json.key("code", first: true); json.string(workingGroup.code)
                    json.key("id"); json.uuid(workingGroup.id)
                    json.key("title"); json.string(workingGroup.title)
                }
            } else {
                json.null()
            }
        }
    }
}

extension Measure {
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("id", first: true); json.uuid(id)
            json.key("item_id"); json.uuid(itemId)
            json.key("lead"); json.array(lead) { $0.string($1) }
            json.key("measures"); json.array(measures) { json, measure in measure.write(to: &json) }
            json.key("milestones"); json.array(milestones) { json, milestone in milestone.write(to: &json) }
            json.key("parent_id"); json.uuid(parentId)
            json.key("progress"); json.number(progress)
            json.key("progress_source"); json.string(progressSource.rawValue)
            json.key("review_due"); json.string(reviewDue)
            json.key("status"); json.string(status.rawValue)
            json.key("status_source"); json.string(statusSource.rawValue)
            json.key("timeframe"); timeframe.write(to: &json)
            json.key("timeframe_text"); json.string(timeframeText)
            json.key("timeframe_text_de"); json.string(timeframeTextDe)
            json.key("title"); json.string(title)
            json.key("weight"); json.number(weight)
        }
    }
}

extension Milestone {
    /// As the synthesised Codable writes it: `done` left out while not done.
    func write(to json: inout JSONText) {
        json.object { json in
            if let done { json.key("done", first: true); json.string(done) }
            json.key("due", first: done == nil); json.string(due)
            json.key("title"); json.string(title)
        }
    }
}

extension Optional where Wrapped == Timeframe {
    /// As the synthesised Codable writes it: absent years left out; `null` for none.
    func write(to json: inout JSONText) {
        guard let timeframe = self else { return json.null() }
        json.object { json in
            json.key("kind", first: true); json.string(timeframe.kind.rawValue)
            if let toYear = timeframe.toYear { json.key("to_year"); json.int(toYear) }
            if let year = timeframe.year { json.key("year"); json.int(year) }
        }
    }
}
