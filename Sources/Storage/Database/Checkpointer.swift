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
///
/// PASSIVE alone does not bound the WAL under writes that never pause. SQLite rewinds the WAL only when a write
/// transaction begins after every frame was copied back, and the group-commit writer begins its next batch while
/// the checkpoint is still copying; measured under wrk (POST, then PATCH, 4 s each) the WAL grew to 448 MB. So
/// once a commit leaves more than ``limit`` pages in it, the writer itself runs a TRUNCATE checkpoint before its
/// next batch (``bound(_:)``): the readers finish their snapshots, the rest is copied, the file is emptied, and
/// writes wait meanwhile. A checkpoint thread asking for it would starve: the writer takes the lock back first.
final class Checkpointer: @unchecked Sendable {
    // @unchecked: `due`, `stopped` and `running` are guarded by `condition`; `connection` is used by the checkpoint
    // thread only; `walPages` by the writer thread only (the WAL hook runs in its commits).
    static let defaultThreshold: Int32 = 4000
    /// WAL pages after a commit that wake the checkpoint thread.
    let threshold: Int32
    /// WAL pages after a commit past which the writer empties the WAL before its next batch.
    let limit: Int32
    private var walPages: Int32 = 0
    /// WAL pages at which the writer tries to empty the WAL next: ``limit``, or more after an attempt that failed.
    private var nextAttempt: Int32

    private let condition = NSCondition()
    private var due = false
    private var stopped = false
    private var running = false
    private let connection: DatabaseQueue

    init(path: String, configuration: Configuration, threshold: Int32 = defaultThreshold, limit: Int32? = nil) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.threshold = threshold
        self.limit = limit ?? 4 * threshold
        self.nextAttempt = self.limit
    }

    /// Replaces the automatic checkpoint of the writer connection `db` with this thread, and starts it.
    func take(over db: Database) {
        sqlite3_wal_hook(
            db.sqliteConnection,
            { context, _, _, pages in
                if let context {
                    let checkpointer = Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue()
                    checkpointer.walPages = pages
                    // Past the limit the WAL is the writer's to empty; a PASSIVE checkpoint running then would hold the
                    // checkpoint lock and make the writer's attempt fail.
                    if pages >= checkpointer.threshold && pages <= checkpointer.limit { checkpointer.walIsDue() }
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
            sqlite3_wal_autocheckpoint(writer, threshold)
        }
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        try? connection.close()
    }

    /// Called by the writer on its connection `db`, outside any transaction, before each batch: empties the WAL
    /// when the last commit left it over ``limit``. Readers get ``truncateWaitMillis`` to finish their snapshots
    /// (a backup or a large export can take longer); if they do not, or the checkpoint thread was still busy, the
    /// writer goes on and tries again a quarter of ``threshold`` pages later, so a long read slows writes a little
    /// and never stops them.
    func bound(_ db: Database) {
        if walPages <= limit { nextAttempt = limit }  // the WAL rewound by itself since a failed attempt
        guard walPages > nextAttempt, let connection = db.sqliteConnection else { return }
        sqlite3_busy_timeout(connection, Self.truncateWaitMillis)
        defer { sqlite3_busy_timeout(connection, Self.busyTimeoutMillis) }
        if let (pages, _) = try? db.checkpoint(.truncate) {
            walPages = Int32(pages)
            nextAttempt = limit
        } else {
            nextAttempt = walPages + max(1, threshold / 4)
        }
    }

    static let truncateWaitMillis: Int32 = 50
    /// The busy timeout every connection is opened with (`Configuration.busyMode` in ``Store``).
    static let busyTimeoutMillis: Int32 = 10_000

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
