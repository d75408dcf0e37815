import GRDB
import GRDBSQLite

extension Statement {
    /// The first row's columns as text (nil for NULL) for these text arguments, or nil when there is no row.
    ///
    /// For the two queries of every authenticated GET (the token, the record by id). Measured with callgrind
    /// (Benchmarks/PROFILE.md): GRDB's `Row.fetchOne` spent about 15,000 instructions per query in its row cursor,
    /// argument boxing and row copy, twice what SQLite itself took; this binds, steps once and resets, in about
    /// 2,000. It takes a statement from `cachedStatement(sql:)` and leaves it reset, as GRDB expects it.
    func firstRow(texts arguments: String..., columns: Int) throws -> [String?]? {
        let handle = sqliteStatement
        sqlite3_reset(handle)
        defer { sqlite3_reset(handle) }
        for (index, argument) in arguments.enumerated() {
            let code = sqlite3_bind_text(handle, Int32(index + 1), argument, -1, sqliteTransient)
            guard code == SQLITE_OK else { throw sqliteError(code) }
        }
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return (0..<Int32(columns)).map { column in
                guard let text = sqlite3_column_text(handle, column) else { return nil }
                let count = Int(sqlite3_column_bytes(handle, column))
                return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
            }
        case SQLITE_DONE:
            return nil
        case let code:
            throw sqliteError(code)
        }
    }
}
