import GRDB
import Model

/// Keeps `search_index` in step with records: one FTS5 row per non-empty text leaf.
enum SearchIndex {
    /// Rows per record: leaf indexes must stay below this.
    static let rowsPerRecord: Int64 = 64

    static func rowID(record: Int64, leafIndex: Int) -> Int64 { record * rowsPerRecord + Int64(leafIndex) }

    /// The text of a leaf as indexed: tags joined by spaces, other text as is.
    static func text(of value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s.isEmpty ? nil : s
        case .array(let items):
            let words = items.compactMap(\.stringValue)
            return words.isEmpty ? nil : words.joined(separator: " ")
        default: return nil
        }
    }

    /// A record's change, to apply to the index later (see ``MutationSession/flushSearchIndex()``).
    struct PendingUpdate {
        let collection: CollectionSpec
        let record: Int64
        let old: [String: JSONValue]?
        let new: [String: JSONValue]?
    }

    /// Re-indexes the leaves whose text differs between `old` and `new` (nil = record not alive).
    static func update(
        _ db: Database, collection: CollectionSpec, record: Int64, old: [String: JSONValue]?,
        new: [String: JSONValue]?
    ) throws {
        for (index, leaf) in collection.leaves.enumerated() where leaf.type.isTextual {
            let before = old.flatMap { $0[leaf.name] }.flatMap(text(of:))
            let after = new.flatMap { $0[leaf.name] }.flatMap(text(of:))
            if before == after { continue }
            let rowID = rowID(record: record, leafIndex: index)
            if before != nil {
                try db.cachedStatement(sql: "DELETE FROM search_index WHERE rowid = ?").execute(arguments: [rowID])
            }
            if let after {
                try db.cachedStatement(sql: "INSERT INTO search_index (rowid, content, weight) VALUES (?, ?, ?)")
                    .execute(arguments: [rowID, after, leaf.searchWeight])
            }
        }
    }
}
