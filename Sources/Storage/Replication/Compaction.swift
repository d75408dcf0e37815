import GRDB
import Model
import Sync

/// What `jobprepd compact` did.
public struct CompactionReport: Sendable, Equatable {
    public var rowsBefore = 0
    public var rowsAfter = 0
    public var cellsRemoved = 0
    /// The new horizon: a peer whose cursor is below it must resync in full (HTTP 410).
    public var horizon: Int64 = 0
}

extension Store {
    /// Keeps only the newest cell per field in the change log: every cell that is still some
    /// record's winning cell, nothing that a later cell superseded. History is untouched. A full
    /// resync from the compacted log rebuilds the same records, deleted ones included.
    public func compact() throws -> CompactionReport {
        try write { session in try Compaction.run(session.db) }
    }
}

enum Compaction {
    static func run(_ db: Database) throws -> CompactionReport {
        var report = CompactionReport()
        report.horizon = try ReadSession(db: db).lastSequence()
        report.rowsBefore = try Int.fetchOne(db, sql: "SELECT count(*) FROM change_log") ?? 0
        var winners: [String: [String: CellKey]] = [:]  // "collection\0id" → field → key
        for row in try Row.fetchAll(db, sql: "SELECT collection, id, clocks FROM records") {
            let record = "\(row[0] as String)\0\(row[1] as String)"
            winners[record] = try StoredClocks.decode(row[2], record: "\(row[0] as String)/\(row[1] as String)")
        }
        let rows = try Row.fetchAll(
            db, sql: "SELECT seq, collection, record_id, cl, hlc, node, cells FROM change_log WHERE seq <= ?",
            arguments: [report.horizon])
        for row in rows {
            let seq: Int64 = row[0]
            guard let node = NodeID(hex: row[5]), let cells = try StoredJSON.parse(row[6] as String).objectValue else {
                throw StorageError.database("corrupt change_log row \(seq)")
            }
            let key = CellKey(cl: row[3], hlc: HLC(rawValue: UInt64(bitPattern: row[4] as Int64)), node: node)
            let current = winners["\(row[1] as String)\0\(row[2] as String)"] ?? [:]
            let kept = cells.filter { current[$0.key] == key }
            report.cellsRemoved += cells.count - kept.count
            if kept.isEmpty {
                try db.execute(sql: "DELETE FROM change_log WHERE seq = ?", arguments: [seq])
            } else if kept.count < cells.count {
                try db.execute(
                    sql: "UPDATE change_log SET cells = ? WHERE seq = ?",
                    arguments: [JSONWriter().string(.object(kept)), seq])
            }
        }
        try Meta.set(db, "compacted_through", String(report.horizon))
        report.rowsAfter = try Int.fetchOne(db, sql: "SELECT count(*) FROM change_log") ?? 0
        return report
    }
}
