import Model
import Sync

/// A collection's cell names (its leaves and ``Change/existenceField``) in canonical order, by their UTF-8 bytes, each
/// with its JSON string literal written out.
///
/// The clocks of a record (``StoredClocks``) and the cells of a log row (``ChangeLog``) list names in this order.
/// Walking this list and looking each name up costs about half of sorting the names of every write, where Swift
/// retained and released both strings at each comparison (Benchmarks/PROFILE.md, session 10).
struct CanonicalCells: Sendable {
    let names: [(name: String, literal: [UInt8])]

    init(_ collection: CollectionSpec) {
        names = (collection.leaves.map(\.name) + [Change.existenceField])
            .sorted(by: utf8Precedes)
            .map { name in
                var literal: [UInt8] = []
                JSONWriter.appendEscapedString(name, into: &literal)
                return (name, literal)
            }
    }

    static func of(_ collection: CollectionSpec) -> CanonicalCells {
        all[collection.name] ?? CanonicalCells(collection)
    }

    private static let all: [String: CanonicalCells] = Dictionary(
        uniqueKeysWithValues: Catalog.all.map { ($0.name, CanonicalCells($0)) })
}
