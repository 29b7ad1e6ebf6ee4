/// One broken rule of a request body: which field, and what is wrong with it.
public struct FieldError: Codable, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}
