import GRDB
import Model
import Sync

/// A page of this replica's change log, as served to a peer.
public struct ChangePage: Sendable {
    public let changes: [Change]
    /// The sequence of the last log row the page covers (including rows skipped for their source);
    /// the next page starts after it.
    public let cursor: Int64
    public let hasMore: Bool
}

/// Where the change log stands.
public struct LogStatus: Sendable, Equatable {
    /// The latest sequence ever assigned (0 for an empty log).
    public let lastSequence: Int64
    /// How many write rows the log holds now.
    public let rows: Int
    /// Cursors at or below this lost cells to compaction; a peer behind it must resync in full.
    public let compactedThrough: Int64
}

extension ReadSession {
    /// Log rows after `sequence`, expanded into cells, up to about `limit` cells (a write's cells are
    /// never split across pages). Rows received from `excluding` are skipped: that peer has them; so
    /// are the built-in seed's rows, which every replica makes itself (a client that names no node
    /// gets everything).
    public func changes(after sequence: Int64, limit: Int, excluding source: NodeID? = nil) throws -> ChangePage {
        let statement = try db.cachedStatement(
            sql: """
                SELECT seq, collection, record_id, cl, hlc, node, cells, source FROM change_log
                WHERE seq > ? ORDER BY seq LIMIT ?
                """)
        let scanLimit = max(limit, 1) * 4
        var changes: [Change] = []
        changes.reserveCapacity(min(limit, 10_000))
        var cursor = sequence
        var scanned = 0
        let rows = try Row.fetchCursor(statement, arguments: [sequence, scanLimit])
        while let row = try rows.next() {
            scanned += 1
            cursor = row[0]
            if source != nil, let from = row[7] as String?, from == source!.hex || from == NodeID.origin.hex { continue }
            let collection: String = row[1]
            let id: String = row[2]
            guard let hlcBits: Int64 = row[4], let node = NodeID(hex: row[5]),
                let cells = try StoredJSON.parse(row[6] as String).objectValue
            else { throw StorageError.database("corrupt change_log row \(cursor)") }
            let key = CellKey(cl: row[3], hlc: HLC(rawValue: UInt64(bitPattern: hlcBits)), node: node)
            for field in cells.keys.sorted() {
                changes.append(Change(collection: collection, id: id, field: field, value: cells[field]!, key: key))
            }
            if changes.count >= limit { break }
        }
        let last = try lastSequence()
        return ChangePage(changes: changes, cursor: cursor, hasMore: cursor < last && scanned > 0)
    }

    /// The latest sequence ever assigned, even if compaction removed its row.
    public func lastSequence() throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'change_log'")) ?? 0
    }

    public func logStatus() throws -> LogStatus {
        LogStatus(
            lastSequence: try lastSequence(),
            rows: try Int.fetchOne(db, sql: "SELECT count(*) FROM change_log") ?? 0,
            compactedThrough: try Meta.get(db, "compacted_through").flatMap { Int64($0) } ?? 0)
    }

    /// This replica's node id as stored.
    public func nodeID() throws -> NodeID? {
        try Meta.get(db, "node_id").flatMap(NodeID.init(hex:))
    }
}

extension ReadSession {
    /// Every row of `records` in a canonical text form, for comparing replicas in tests.
    public func debugRecordRows() throws -> [String] {
        try Row.fetchAll(
            db, sql: "SELECT collection, id, cl, clocks, body, version FROM records ORDER BY collection, id"
        ).map { row in
            let parts: [String] = [row[0], row[1], String(row[2] as Int64), row[3], row[4] ?? "-", row[5] ?? "-"]
            return parts.joined(separator: " | ")
        }
    }
}

/// One row of the change log: a write's cells and its sequence.
public struct LogEntry: Sendable {
    public let sequence: Int64
    public let changes: [Change]
}

extension ReadSession {
    /// Log rows after `sequence`, at most `limit` of them, in order.
    public func logEntries(after sequence: Int64, limit: Int) throws -> [LogEntry] {
        let statement = try db.cachedStatement(
            sql: "SELECT seq, collection, record_id, cl, hlc, node, cells FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?")
        return try Row.fetchAll(statement, arguments: [sequence, limit]).map { row in
            let seq: Int64 = row[0]
            guard let node = NodeID(hex: row[5]), let cells = try StoredJSON.parse(row[6] as String).objectValue else {
                throw StorageError.database("corrupt change_log row \(seq)")
            }
            let key = CellKey(cl: row[3], hlc: HLC(rawValue: UInt64(bitPattern: row[4] as Int64)), node: node)
            let changes = cells.keys.sorted().map {
                Change(collection: row[1], id: row[2], field: $0, value: cells[$0]!, key: key)
            }
            return LogEntry(sequence: seq, changes: changes)
        }
    }
}
