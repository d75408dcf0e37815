import GRDB
import Model
import Sync

/// The append-only log of applied writes; its `seq` is the cursor peers sync from.
enum ChangeLog {
    /// Appends the cells of one write (one record, one clock reading).
    static func append(
        _ db: Database, collection: String, id: String, key: CellKey, cells: [String: JSONValue]
    ) throws {
        try db.cachedStatement(
            sql: "INSERT INTO change_log (collection, record_id, cl, hlc, node, cells) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [
            collection, id, key.cl, Int64(bitPattern: key.hlc.rawValue), key.node.hex,
            JSONWriter().string(.object(cells)),
        ])
    }
}
