import Model

/// Where the searchable leaves of one collection sit in its rendered documents, worked out once per collection.
///
/// The indexer reads each record's text straight from its parsed body through these paths, rather than through
/// ``RecordDocument/leafValues(of:in:)``, which copies every leaf of the record into a dictionary first.
struct SearchableLeaves: Sendable {
    struct Leaf: Sendable {
        /// The leaf's index in its collection's `leaves`, which places its row in the index (``SearchIndex/rowID``).
        let index: Int
        /// The top-level member that holds it.
        let field: String
        /// For a leaf of a nested object, its member in that object.
        let member: String?
        let weight: Double
    }

    let leaves: [Leaf]

    init(_ collection: CollectionSpec) {
        leaves = collection.leaves.enumerated().compactMap { index, leaf in
            guard leaf.type.isTextual else { return nil }
            let path = leaf.name.split(separator: ".", maxSplits: 1).map(String.init)
            return Leaf(index: index, field: path[0], member: path.count > 1 ? path[1] : nil, weight: leaf.searchWeight)
        }
    }

    private static let byCollection = Dictionary(
        uniqueKeysWithValues: Catalog.all.map { ($0.name, SearchableLeaves($0)) })

    static func of(_ collection: String) -> SearchableLeaves? { byCollection[collection] }

    /// The indexed text of each leaf in `body` (a record's rendered document), in the order of ``leaves``; nil where
    /// the leaf holds none.
    func texts(of body: JSONValue) -> [String?] {
        guard let object = body.objectValue else { return Array(repeating: nil, count: leaves.count) }
        return leaves.map { leaf in
            var value = object[leaf.field]
            if let member = leaf.member { value = value?.objectValue?[member] }
            return value.flatMap(SearchIndex.text(of:))
        }
    }
}
