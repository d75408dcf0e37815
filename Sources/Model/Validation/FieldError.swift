/// One reason a request body was refused, naming the field (`compensation.currency`,
/// `story_ids[2]`, or `""` for the body itself).
public struct FieldError: Error, Sendable, Equatable, Hashable {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// Every reason a body was refused; the API answers it as 422 with an `errors` list.
public struct ValidationFailure: Error, Sendable, Equatable {
    public let errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }

    public init(_ field: String, _ message: String) {
        self.errors = [FieldError(field, message)]
    }
}
