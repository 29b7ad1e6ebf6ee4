import Foundation

/// Theses as JSON, written directly (JSONText): the same text as `JSONEncoder.contract()`
/// writes, for the thesis page every member's discussion reads, where the encoder was most
/// of the cost (docs/performance.md, issue 14). A field added to Thesis or StanceSummary
/// must be added here too; the tests compare both ways of writing pages holding every field.
extension Page where Item == Thesis {
    public func json() -> JSONText {
        json(bytesPerItem: 512) { json, thesis in thesis.write(to: &json) }
    }
}

extension Thesis {
    public func json() -> JSONText {
        var json = JSONText(capacity: 1_024)
        write(to: &json)
        return json
    }

    /// As the synthesised Codable writes it: absent optionals left out.
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("author_id", first: true); json.uuid(authorId)
            json.key("body"); json.string(body)
            json.key("created_at"); json.date(createdAt)
            if let eventId { json.key("event_id"); json.uuid(eventId) }
            json.key("id"); json.uuid(id)
            if let stances { json.key("stances"); stances.write(to: &json) }
            json.key("title"); json.string(title)
            json.key("withdrawn"); json.bool(withdrawn)
            if let withdrawnReason { json.key("withdrawn_reason"); json.string(withdrawnReason) }
            if let workingGroupId { json.key("working_group_id"); json.uuid(workingGroupId) }
            json.key("workshop_id"); json.uuid(workshopId)
        }
    }
}

extension StanceSummary {
    /// As `encode(to:)` writes it: the figures the disclosure for k allows, no others.
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("agree", first: true); json.int(agree)
            json.key("by_group"); json.dictionary(byGroup) { json, counts in
                json.object { json in
                    json.key("agree", first: true); json.int(counts.agree)
                    json.key("disagree"); json.int(counts.disagree)
                    json.key("pass"); json.int(counts.pass)
                }
            }
            json.key("consensus"); json.number(consensus)
            json.key("controversy"); json.number(controversy)
            json.key("disagree"); json.int(disagree)
            json.key("pass"); json.int(pass)
            json.key("withheld_groups"); json.array(withheldGroups) { $0.string($1) }
        }
    }
}
