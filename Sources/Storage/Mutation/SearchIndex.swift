import GRDB
import Model

/// Keeps `search_index` in step with records: one FTS5 row per non-empty text leaf.
///
/// The index follows the change log instead of being written with each batch: the writer keeps what its commits
/// changed in a ``SearchBacklog`` and writes it in one transaction when the backlog is large, when no write has
/// come for a while, before a search, and when the store closes (``GroupCommitWriter``). FTS5 writes one index
/// segment per transaction (and merges segments as they pile up), so hundreds of records at once cost about half
/// as much per record as the ten or so of a busy batch. `meta.search_indexed_through` is the change-log sequence
/// the index covers; the log rows after it name the records a crash left unindexed (``catchUp(_:backlog:coveredBefore:)``).
enum SearchIndex {
    /// Rows per record: leaf indexes must stay below this.
    static let rowsPerRecord: Int64 = 64

    static func rowID(record: Int64, leafIndex: Int) -> Int64 { record * rowsPerRecord + Int64(leafIndex) }

    /// The `meta` key holding the last change-log sequence whose write the index holds.
    static let coveredKey = "search_indexed_through"

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

    /// A record's change within a transaction, folded into the writer's backlog once it commits.
    struct PendingUpdate {
        let collection: CollectionSpec
        let record: Int64
        let old: [String: JSONValue]?
        let new: [String: JSONValue]?
    }

    /// Brings the index up to date with the change log, in the caller's write transaction, and returns the sequence
    /// it now covers. `coveredBefore` is what the caller's last catch-up returned (nil before its first).
    ///
    /// When nobody else has caught the index up since, and every log row after it is one of `backlog`'s, the backlog
    /// is written as it is. Otherwise some rows were written by another process, or by this one before a crash or a
    /// failed catch-up: every record the log names since the covered sequence is indexed afresh from what it holds
    /// now (the backlog's records among them).
    static func catchUp(_ db: Database, backlog: SearchBacklog, coveredBefore: Int64?) throws -> Int64 {
        let covered = try Meta.get(db, coveredKey).flatMap(Int64.init) ?? 0
        let pending =
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM change_log WHERE seq > ?"), arguments: [covered]) ?? 0
        guard pending > 0 || !backlog.isEmpty else { return covered }
        if covered == coveredBefore && pending == backlog.loggedRows {
            try write(db, backlog)
        } else {
            try reindex(db, recordsLoggedAfter: covered)
        }
        let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM change_log") ?? 0
        try Meta.set(db, coveredKey, String(last))
        return last
    }

    /// Writes the backlog in rowid order: FTS5 starts a new segment whenever a rowid is not above the last one
    /// written (a delete then an insert of the same rowid is allowed).
    private static func write(_ db: Database, _ backlog: SearchBacklog) throws {
        let delete = try db.cachedStatement(sql: "DELETE FROM search_index WHERE rowid = ?")
        let insert = try db.cachedStatement(sql: "INSERT INTO search_index (rowid, content, weight) VALUES (?, ?, ?)")
        for (rowID, leaf) in backlog.leaves.sorted(by: { $0.key < $1.key }) {
            if leaf.indexed { try delete.execute(arguments: [rowID]) }
            if let text = leaf.text { try insert.execute(arguments: [rowID, text, leaf.weight]) }
        }
    }

    /// Indexes every record that a log row after `covered` names from its current state.
    private static func reindex(_ db: Database, recordsLoggedAfter covered: Int64) throws {
        let records = try Row.fetchAll(
            db,
            sql: """
                SELECT DISTINCT records.rowid, records.collection, records.body
                FROM change_log JOIN records ON records.collection = change_log.collection
                    AND records.id = change_log.record_id
                WHERE change_log.seq > ?
                ORDER BY records.rowid
                """,
            arguments: [covered])
        let delete = try db.cachedStatement(sql: "DELETE FROM search_index WHERE rowid >= ? AND rowid < ?")
        let insert = try db.cachedStatement(sql: "INSERT INTO search_index (rowid, content, weight) VALUES (?, ?, ?)")
        for row in records {
            let record: Int64 = row[0]
            try delete.execute(arguments: [record * rowsPerRecord, (record + 1) * rowsPerRecord])
            guard let collection = Catalog.collection(row[1]), let body: String = row[2] else { continue }
            let values = RecordDocument.leafValues(of: try StoredJSON.parse(body), in: collection)
            for (index, leaf) in collection.leaves.enumerated() where leaf.type.isTextual {
                guard let text = values[leaf.name].flatMap(text(of:)) else { continue }
                try insert.execute(arguments: [rowID(record: record, leafIndex: index), text, leaf.searchWeight])
            }
        }
    }
}

/// The index changes of committed writes that ``SearchIndex/catchUp(_:backlog:coveredBefore:)`` has not written yet; kept by the
/// writer thread alone.
struct SearchBacklog {
    /// One leaf's change: its text now (nil: none), and whether the index holds a row for its text before.
    struct Leaf {
        let indexed: Bool
        var text: String?
        let weight: Double
    }

    /// By index rowid; a leaf changed twice is written once, with its last text.
    private(set) var leaves: [Int64: Leaf] = [:]
    /// Change-log rows appended by the writes folded in.
    private(set) var loggedRows = 0

    var isEmpty: Bool { loggedRows == 0 && leaves.isEmpty }

    /// Adds the changes of one committed transaction: its record updates, and the log rows it appended.
    mutating func fold(_ updates: [SearchIndex.PendingUpdate], loggedRows rows: Int) {
        loggedRows += rows
        for update in updates {
            for (index, leaf) in update.collection.leaves.enumerated() where leaf.type.isTextual {
                let before = update.old.flatMap { $0[leaf.name] }.flatMap(SearchIndex.text(of:))
                let after = update.new.flatMap { $0[leaf.name] }.flatMap(SearchIndex.text(of:))
                if before == after { continue }
                let rowID = SearchIndex.rowID(record: update.record, leafIndex: index)
                if leaves[rowID] != nil {
                    leaves[rowID]!.text = after
                } else {
                    leaves[rowID] = Leaf(indexed: before != nil, text: after, weight: leaf.searchWeight)
                }
            }
        }
    }
}
