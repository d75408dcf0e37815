import GRDB
import GRDBSQLite

// What the few statements run through SQLite's own calls, past GRDB, share: `Statement.firstRow(texts:columns:)` and
// the search index's insert (`SearchIndex`).

extension Statement {
    /// The error SQLite reported for `code` on this statement's connection.
    func sqliteError(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))),
            sql: sql)
    }
}

/// SQLite copies bound text before `sqlite3_bind_text` returns (`SQLITE_TRANSIENT`).
let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
