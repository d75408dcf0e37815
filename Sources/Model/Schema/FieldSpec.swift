/// One field of a collection, as clients see it.
///
/// A class, though immutable: every write walks a collection's fields, and copying a struct of four reference-counted
/// members retained each of them, atomically, on objects every thread shares (Benchmarks/PROFILE.md, session 10).
public final class FieldSpec: Sendable, Equatable {
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

    public static func == (a: FieldSpec, b: FieldSpec) -> Bool {
        a === b
            || (a.name == b.name && a.type == b.type && a.required == b.required && a.readOnly == b.readOnly
                && a.defaultValue == b.defaultValue && a.searchWeight == b.searchWeight && a.summary == b.summary)
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
