import GRDB
import GRDBSQLite
import Model

/// The rows of `search_index` (in the search file, see ``SearchIndexer``): one FTS5 row per non-empty text leaf of a
/// live record.
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

    /// The highest record rowid with index rows (0 for none): a record above it has none to compare with.
    static func lastIndexedRecord(_ db: Database) throws -> Int64 {
        let last = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT rowid FROM search_index ORDER BY rowid DESC LIMIT 1"))
        return last.map { $0 / rowsPerRecord } ?? 0
    }

    /// Makes a record's rows hold `texts`, the text of each of `leaves` (nil for the whole: the record is not alive),
    /// writing only the leaves whose text differs from what the index holds. `mayHaveRows` false (a record above
    /// ``lastIndexedRecord(_:)``, as every new one is) skips reading them.
    static func update(
        _ db: Database, record: Int64, leaves: SearchableLeaves, texts: [String?]?, mayHaveRows: Bool
    ) throws {
        let first = rowID(record: record, leafIndex: 0)
        var indexed: [Int64: String] = [:]
        if mayHaveRows {
            for row in try Row.fetchAll(
                db.cachedStatement(sql: "SELECT rowid, content FROM search_index WHERE rowid >= ? AND rowid < ?"),
                arguments: [first, first + rowsPerRecord])
            {
                indexed[row[0]] = row[1]
            }
        }
        let insert = try db.cachedStatement(sql: "INSERT INTO search_index (rowid, content, weight) VALUES (?, ?, ?)")
        for (position, leaf) in leaves.leaves.enumerated() {
            let rowID = rowID(record: record, leafIndex: leaf.index)
            let before = indexed[rowID]
            let after = texts?[position]
            if before == after { continue }
            if before != nil {
                try db.cachedStatement(sql: "DELETE FROM search_index WHERE rowid = ?").execute(arguments: [rowID])
            }
            if let after { try insert.insertIndexRow(rowID, after, leaf.weight) }
        }
    }
}

extension Statement {
    /// Runs `INSERT INTO search_index (rowid, content, weight) VALUES (?, ?, ?)` through SQLite's own calls. GRDB's
    /// `execute(arguments:)` added about 6,000 instructions to each insert, a quarter of what FTS5 itself takes, and
    /// a record has one insert per text leaf (Benchmarks/PROFILE.md, session 9). The search file's connection has no
    /// transaction observer for this to bypass. Leaves the statement reset, as GRDB expects it.
    fileprivate func insertIndexRow(_ rowID: Int64, _ text: String, _ weight: Double) throws {
        let handle = sqliteStatement
        defer { sqlite3_reset(handle) }
        var code = sqlite3_bind_int64(handle, 1, rowID)
        if code == SQLITE_OK { code = sqlite3_bind_text(handle, 2, text, -1, sqliteTransient) }
        if code == SQLITE_OK { code = sqlite3_bind_double(handle, 3, weight) }
        if code == SQLITE_OK { code = sqlite3_step(handle) }
        guard code == SQLITE_DONE else { throw sqliteError(code) }
    }
}
