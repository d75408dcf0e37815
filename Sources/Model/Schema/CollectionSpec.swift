/// One collection of records, described once: validation, storage, routing, search, filters
/// and the change cells all follow from this description.
///
/// A class, though immutable, for the reason ``FieldSpec`` is one: a copy of the struct retained its six members.
public final class CollectionSpec: Sendable {
    /// The path segment and the `collection` of change cells, e.g. `compensation-research`.
    public let name: String
    /// A singleton has exactly one record (`/v1/profile`): GET and PATCH, no list, no create.
    public let isSingleton: Bool
    public let fields: [FieldSpec]
    public let summary: String

    /// Every leaf field (nested objects flattened to `parent.child`), in declaration order.
    public let leaves: [FieldSpec]
    private let fieldsByName: [String: FieldSpec]
    private let leavesByName: [String: FieldSpec]

    public init(_ name: String, singleton: Bool = false, _ summary: String, fields: [FieldSpec]) {
        self.name = name
        self.isSingleton = singleton
        self.summary = summary
        self.fields = fields
        self.leaves = fields.flatMap(\.leaves)
        self.fieldsByName = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
        self.leavesByName = Dictionary(uniqueKeysWithValues: leaves.map { ($0.name, $0) })
    }

    public func field(_ name: String) -> FieldSpec? { fieldsByName[name] }

    /// A leaf field, by its cell name (`compensation.currency`).
    public func leaf(_ name: String) -> FieldSpec? { leavesByName[name] }

    /// Top-level fields a list may filter on by equality.
    public var filterableFields: [FieldSpec] { fields.filter { $0.type.isFilterable } }

    /// Top-level fields a list may sort on.
    public var sortableFields: [FieldSpec] { fields.filter { $0.type.isSortable } }

    /// Leaves whose text is indexed for search.
    public var searchableLeaves: [FieldSpec] { leaves.filter { $0.type.isTextual } }

    /// Leaves that point at other records.
    public var referenceLeaves: [FieldSpec] { leaves.filter { $0.type.referencedCollection != nil } }
}
