import GRDB
import Model

/// The read-only connections behind ``Store/read(_:)``: GRDB `DatabaseQueue`s opened read-only on the WAL
/// database, kept in a list under a mutex. Each read is one deferred transaction (one snapshot), begun and
/// ended with cached statements.
///
/// Why not `DatabasePool.read`: measured with callgrind (Benchmarks/PROFILE.md), it spent about 60,000
/// instructions per call around the query itself: a barrier dispatch, a semaphore, a dispatch group and a key path
/// to pick a reader, a schema-version query, and BEGIN and COMMIT parsed anew each time. That was a third of a
/// whole `GET /v1/<collection>/{id}`. GRDB still does everything else (connections, statements, rows); the pool
/// keeps the writer and the migrations.
///
/// A connection is opened when none is idle and kept afterwards, so there are as many as there were concurrent
/// reads at most: the HTTP workers and the odd background task.
final class ReaderPool: Sendable {
    private let path: String
    private let configuration: Configuration
    private let idle = Locked<[DatabaseQueue]>([])

    init(path: String, configuration: Configuration) {
        var configuration = configuration
        configuration.readonly = true
        self.path = path
        self.configuration = configuration
    }

    /// Runs `body`, which runs a single statement (a snapshot of its own in autocommit mode), on an idle connection,
    /// without the BEGIN and COMMIT that ``read(_:)`` adds around several statements.
    func readOneStatement<T>(_ body: (Database) throws -> T) throws -> T {
        let reader = try checkOut()
        defer { idle.withLock { $0.append(reader) } }
        return try reader.inDatabase(body)
    }

    /// Runs `body` in a read transaction on an idle connection (a new one if none is idle).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let reader = try checkOut()
        var reusable = true
        defer {
            if reusable { idle.withLock { $0.append(reader) } }
        }
        return try reader.inDatabase { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            defer {
                // Ending a read transaction does not fail in practice; if it did, the connection would keep an old
                // snapshot, so it is dropped rather than reused.
                do {
                    try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                } catch {
                    try? db.rollback()
                    reusable = !db.isInsideTransaction
                }
            }
            return try body(db)
        }
    }

    /// An idle connection, or a new one if none is idle; the caller puts it back.
    private func checkOut() throws -> DatabaseQueue {
        try idle.withLock { $0.popLast() } ?? DatabaseQueue(path: path, configuration: configuration)
    }

    /// Closes the idle connections (one still reading is closed when the pool is released).
    func close() {
        let readers = idle.withLock { readers in
            defer { readers.removeAll() }
            return readers
        }
        for reader in readers { try? reader.close() }
    }
}
