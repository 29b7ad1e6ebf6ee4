import Foundation

/// A workshop as JSON, written directly (JSONText): the same text as `JSONEncoder.contract()`
/// writes, for `GET /v1/workshops/{id}`, the read a member's client makes most
/// (docs/performance.md, issue 14). A field added to Workshop must be added here too; the
/// tests compare both ways of writing workshops with and without their optional fields.
extension Workshop {
    public func json() -> JSONText {
        var json = JSONText(capacity: 512)
        write(to: &json)
        return json
    }

    /// As the synthesised Codable writes it: absent optionals left out.
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("created_at", first: true); json.date(createdAt)
            if let description { json.key("description"); json.string(description) }
            if let endsOn { json.key("ends_on"); json.string(endsOn) }
            json.key("id"); json.uuid(id)
            json.key("min_group_size"); json.int(minGroupSize)
            json.key("opinion_min_stances"); json.int(opinionMinStances)
            json.key("phase"); json.string(phase.rawValue)
            json.key("public_report"); json.bool(publicReport)
            if let region { json.key("region"); json.string(region) }
            json.key("slug"); json.string(slug)
            if let startsOn { json.key("starts_on"); json.string(startsOn) }
            json.key("title"); json.string(title)
            json.key("updated_at"); json.date(updatedAt)
        }
    }
}
