import GRDB
import Model
import Sync

/// Values that stopped being visible, kept so that no edit is silently lost.
enum History {
    static func record(
        _ db: Database, collection: String, id: String, _ displaced: RecordState.Displaced
    ) throws {
        guard displaced.field != Change.existenceField else { return }
        let key = displaced.cell.key
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO history (collection, record_id, field, cl, hlc, node, value, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            collection, id, displaced.field, key.cl, Int64(bitPattern: key.hlc.rawValue), key.node.hex,
            JSONWriter().string(displaced.cell.value), displaced.reason.rawValue,
        ])
    }
}
