import Foundation
import GRDB
import GRDBSQLite

/// Runs the WAL checkpoints on a thread and connection of its own, so that the writer never does.
///
/// By default SQLite checkpoints on the connection that commits, once the WAL holds 1,000 pages: the
/// group-commit writer then copied pages into the database file and waited for two fsyncs while every
/// queued write waited too. Measured under wrk (POST create, Benchmarks/PROFILE.md): checkpoint I/O took
/// about a fifth of the writer thread's time, and raising the threshold alone gave 1.16x creates per second.
///
/// The writer connection's WAL hook (which replaces SQLite's automatic checkpoint) wakes this thread once the
/// WAL reaches ``threshold`` pages; it runs a PASSIVE checkpoint, which copies what it can without blocking
/// the writer or the readers. A commit is as durable as before: with `synchronous=NORMAL` it survives a process
/// crash once it is in the WAL, whoever checkpoints it later.
final class Checkpointer: @unchecked Sendable {
    // @unchecked: `due` and `stopped` are guarded by `condition`; `connection` is used by the checkpoint
    // thread only.
    static let threshold: Int32 = 4000

    private let condition = NSCondition()
    private var due = false
    private var stopped = false
    private var running = false
    private let connection: DatabaseQueue

    init(path: String, configuration: Configuration) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Replaces the automatic checkpoint of the writer connection `db` with this thread, and starts it.
    func take(over db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, { context, _, _, pages in
            if pages >= Checkpointer.threshold, let context {
                Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().walIsDue()
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
        condition.lock()
        running = true
        condition.unlock()
        let thread = Thread { [self] in run() }
        thread.name = "jobprep-checkpoint"
        thread.start()
    }

    /// Gives the writer connection its automatic checkpoint back, and stops the thread.
    func handBack(_ db: Database) {
        if let writer = db.sqliteConnection {
            sqlite3_wal_hook(writer, nil, nil)
            sqlite3_wal_autocheckpoint(writer, Self.threshold)
        }
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        try? connection.close()
    }

    private func walIsDue() {
        condition.lock()
        due = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while !due && !stopped { condition.wait() }
            if stopped {
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
            due = false
            condition.unlock()
            // A checkpoint that cannot finish (a reader still on an old snapshot) copies what it can; the next
            // commit past the threshold asks again.
            _ = try? connection.inDatabase { db in try db.checkpoint(.passive) }
        }
    }
}
