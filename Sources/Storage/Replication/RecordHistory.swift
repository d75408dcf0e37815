import GRDB
import Model
import Sync

/// A value a field held, or was offered, that is not its current value.
public struct HistoryEntry: Sendable, Equatable {
    public let field: String
    public let value: JSONValue
    public let key: CellKey
    /// `overwritten`, `lost_merge` or `earlier_life` (see ``RecordState/Displacement``).
    public let reason: String
}

extension ReadSession {
    /// Whether a record with this id was ever seen (alive or deleted), and its history, newest first
    /// within each field. Nil when the record was never seen.
    public func history(_ collection: CollectionSpec, id: String) throws -> (alive: Bool, entries: [HistoryEntry])? {
        guard let cl = try Int64.fetchOne(
            db, sql: "SELECT cl FROM records WHERE collection = ? AND id = ?", arguments: [collection.name, id])
        else { return nil }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT field, value, cl, hlc, node, reason FROM history WHERE collection = ? AND record_id = ?
                ORDER BY field, hlc DESC, node DESC
                """,
            arguments: [collection.name, id])
        let entries = try rows.map { row -> HistoryEntry in
            guard let node = NodeID(hex: row[4]) else { throw StorageError.database("corrupt history row") }
            return HistoryEntry(
                field: row[0], value: try StoredJSON.parse(row[1] as String),
                key: CellKey(cl: row[2], hlc: HLC(rawValue: UInt64(bitPattern: row[3] as Int64)), node: node),
                reason: row[5])
        }
        return (cl % 2 == 1, entries)
    }
}
