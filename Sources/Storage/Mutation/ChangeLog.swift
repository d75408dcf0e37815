import GRDB
import Model
import Sync

/// The append-only log of applied writes; its `seq` is the cursor peers sync from.
enum ChangeLog {
    /// Appends the cells of one write (one record, one clock reading) and returns its sequence.
    /// `source` is the replica the cells were received from, nil when written here.
    static func append(
        _ db: Database, collection: String, id: String, key: CellKey, cells: [String: JSONValue], source: NodeID?
    ) throws -> Int64 {
        try db.cachedStatement(
            sql: """
                INSERT INTO change_log (collection, record_id, cl, hlc, node, cells, source)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            collection, id, key.cl, Int64(bitPattern: key.hlc.rawValue), key.node.hex,
            JSONWriter().string(.object(cells)), source?.hex,
        ])
        return db.lastInsertedRowID
    }
}
