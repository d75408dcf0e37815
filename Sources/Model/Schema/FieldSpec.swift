/// One field of a collection, as clients see it.
public struct FieldSpec: Sendable, Equatable {
    public let name: String
    public let type: FieldType
    /// Must be present and non-null on create.
    public let required: Bool
    /// Clients may not set it; only the server (built-in seeding) does.
    public let readOnly: Bool
    /// The value a create stores when the client sends none.
    public let defaultValue: JSONValue
    /// How much a hit in this field counts in search ranking (titles above bodies).
    public let searchWeight: Double
    public let summary: String

    public init(
        _ name: String, _ type: FieldType, required: Bool = false, readOnly: Bool = false,
        default defaultValue: JSONValue = .null, searchWeight: Double = 1, _ summary: String = ""
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.readOnly = readOnly
        self.defaultValue = defaultValue
        self.searchWeight = searchWeight
        self.summary = summary
    }

    /// The leaves of this field: itself, or for an object each nested field, named `parent.child`.
    public var leaves: [FieldSpec] {
        guard case .object(let children) = type else { return [self] }
        return children.flatMap { child in
            child.leaves.map { leaf in
                FieldSpec(
                    "\(name).\(leaf.name)", leaf.type, required: false, readOnly: leaf.readOnly || readOnly,
                    default: leaf.defaultValue, searchWeight: leaf.searchWeight, leaf.summary)
            }
        }
    }
}
