import Foundation
import GRDB
import Model
import Sync

/// Keeps the search index in step with the change log, in a database file of its own, on a thread and connections
/// of its own.
///
/// FTS5 cost about half of the writer's time per create when the index was written in each batch's transaction
/// (Benchmarks/PROFILE.md, sessions 3 to 7), and one writer per file cannot share that work with another core. So the
/// index lives in `<database>.search` (``SearchIndexer/path(for:)``), and this thread follows the change log: shortly
/// after each commit (``gatherDelay``) it reads the log rows it has not indexed yet, re-indexes the records they name from what those records
/// hold now, and records the last sequence it covered (`search_meta.indexed_through`) in the same transaction.
///
/// Because it indexes records as they are, not the changes as they were made, the order in which it sees them does
/// not matter, and nothing is lost to a crash: what the index had not caught up with is still in the log, and the next
/// start (or the next commit) indexes it. Writes made by another process (the command line) are followed the same
/// way. A search first waits for the index to cover the log as it stood when the search began
/// (``waitUntilIndexed(through:timeout:)``), so it sees every acknowledged write; the writer waits before a batch when
/// the index is more than ``lagBound`` log rows behind what it wrote (``holdWriterWhileBehind(_:)``), which bounds that
/// wait.
///
/// The index is derived data: a search file that belongs to another database (a copy or a restore gives the database a
/// new node id) is emptied and rebuilt from the log, which keeps every record's winning cells even after compaction.
final class SearchIndexer: @unchecked Sendable {
    // @unchecked: `pending`, `waiting`, `indexed`, `failure`, `stopped` and `running` are guarded by `condition`,
    // which the indexer thread, searches and the writer all wait on (so it is always broadcast, never signalled);
    // `connection` and `source` are used by the indexer thread only once it runs.
    /// Log rows the index may lag behind the writer's own commits before the writer waits for it
    /// (``StoreOptions/searchLagBound``).
    private let lagBound: Int64
    /// Log rows indexed per transaction.
    static let chunk = 256
    /// How long a catch-up asked for by a commit waits for the commits after it to join it, unless a search or the
    /// writer waits for the index. Each transaction on the search file has a fixed cost (a read of the log, FTS5's
    /// segment and merge work, WAL frames): under wrk's POST a transaction held ~36 records without the wait and ~150
    /// with it, and a create cost 9–14% less CPU than before (Benchmarks/PROFILE.md, session 9).
    static let gatherDelay: TimeInterval = 0.005

    private let condition = NSCondition()
    /// Whether a catch-up was asked for since the last one began.
    private var pending = false
    /// Searches and a held writer waiting for the index to move: a catch-up does not wait for more commits then.
    private var waiting = 0
    /// The log sequence the index covers (committed).
    private var indexed: Int64 = 0
    /// The log's last sequence when this indexer started: the writer only waits for lag it made itself, not for a
    /// catch-up or a rebuild of what was there before.
    private let loggedAtStart: Int64
    /// Why the last catch-up failed; nil after one that succeeded.
    private var failure: Error?
    private var stopped = false
    private var running = false
    /// The search file, written by the indexer thread.
    private let connection: DatabaseQueue
    /// The database, read-only: a connection of its own, because a write transaction on a connection with the
    /// database attached would lock the database too (`BEGIN IMMEDIATE` locks every attached file) and hold up the writer.
    private let source: DatabaseQueue

    /// The search file of the database at `databasePath`.
    static func path(for databasePath: String) -> String { databasePath + ".search" }

    /// Opens (creating if needed) the search file beside the database, emptying it if it was made for another one
    /// and making it again if it is not a database or is corrupt, and the database read-only, to read its log and
    /// records.
    init(databasePath: String, node: NodeID, busyTimeout: TimeInterval, lagBound: Int64) throws {
        self.lagBound = lagBound
        (connection, indexed) = try Self.openSearchFile(
            Self.path(for: databasePath), node: node, busyTimeout: busyTimeout)
        var sourceConfiguration = Configuration()
        sourceConfiguration.readonly = true
        sourceConfiguration.busyMode = .timeout(busyTimeout)
        sourceConfiguration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -256") }
        source = try DatabaseQueue(path: databasePath, configuration: sourceConfiguration)
        loggedAtStart = try source.read { db in try ReadSession(db: db).lastSequence() }
    }

    /// The search file's connection and the log sequence it covers. A file SQLite finds corrupt or not a database
    /// (a disk error, a bad copy) is deleted with its WAL and shared memory and made again, empty: it holds derived
    /// data, which the indexer rebuilds from the log, and it must not stop the daemon from starting. Corruption that
    /// shows only later, deeper in the file, makes catch-ups fail (searches then answer from what the index holds).
    private static func openSearchFile(_ path: String, node: NodeID, busyTimeout: TimeInterval) throws
        -> (DatabaseQueue, Int64)
    {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // Derived data: the log rebuilds what a crash or a power loss takes. NORMAL, not OFF: in WAL mode it syncs
            // only at checkpoints, and a power loss cannot leave the file corrupt.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -512")
        }
        func open() throws -> (DatabaseQueue, Int64) {
            let connection = try DatabaseQueue(path: path, configuration: configuration)
            do {
                let indexed = try connection.writeWithoutTransaction { db in
                    _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                    try db.inTransaction(.immediate) {
                        try createSchema(db, node: node)
                        return .commit
                    }
                    return try indexedThrough(db)
                }
                return (connection, indexed)
            } catch {
                try? connection.close()
                throw error
            }
        }
        do {
            return try open()
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                try FileManager.default.removeItem(atPath: file)
            }
            return try open()
        }
    }

    private static func createSchema(_ db: Database, node: NodeID) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                """)
        let owner = try String.fetchOne(db, sql: "SELECT value FROM search_meta WHERE key = 'node_id'")
        if owner != node.hex {
            try db.execute(sql: "DROP TABLE IF EXISTS search_index; DELETE FROM search_meta")
            try db.execute(
                sql: "INSERT INTO search_meta (key, value) VALUES ('node_id', ?), ('indexed_through', '0')",
                arguments: [node.hex])
        }
        // One row per non-empty text leaf of a live record; rowid = records.rowid * 64 + the leaf's index in its
        // collection, so a record's rows are one rowid range.
        try db.execute(
            sql: """
                CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5 (
                    content,
                    weight UNINDEXED,
                    tokenize = 'unicode61 remove_diacritics 2'
                )
                """)
    }

    private static func indexedThrough(_ db: Database) throws -> Int64 {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM search_meta WHERE key = 'indexed_through'")
        ).flatMap { Int64($0) } ?? 0
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "jobprep-search"
        condition.lock()
        running = true
        pending = true  // whatever the log holds now
        condition.unlock()
        thread.start()
    }

    /// Finishes the catch-up in progress and stops; what is left is indexed at the next start.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        try? connection.close()
        try? source.close()
    }

    /// Asks the indexer to cover the log through `sequence` (the writer calls it after each commit).
    func request(_ sequence: Int64) {
        condition.lock()
        if sequence > indexed, !pending {
            pending = true
            condition.broadcast()
        }
        condition.unlock()
    }

    enum Coverage {
        /// The index covers the sequence asked for.
        case covered
        /// The index cannot be written (a full disk): it holds what it could index, and catches up once it can.
        case failing
        /// Not covered within the time given, or the indexer stopped.
        case behind
    }

    /// Waits until the index covers the log through `sequence`, or the indexer fails, or `timeout` passes.
    func waitUntilIndexed(through sequence: Int64, timeout: TimeInterval) -> Coverage {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        if indexed >= sequence { return .covered }
        pending = true
        waiting += 1
        defer { waiting -= 1 }
        condition.broadcast()
        while indexed < sequence {
            if failure != nil { return .failing }
            if stopped || !condition.wait(until: deadline) { return indexed >= sequence ? .covered : .behind }
        }
        return .covered
    }

    /// Holds the writer while the index is more than ``lagBound`` log rows behind `written`, the last sequence it
    /// committed, counting only what was written since this indexer started (a rebuild does not hold writes up). Never
    /// holds it while the indexer is failing or stopped.
    func holdWriterWhileBehind(_ written: Int64) {
        condition.lock()
        defer { condition.unlock() }
        func mustWait() -> Bool { written - max(indexed, loggedAtStart) > lagBound && failure == nil && !stopped }
        guard mustWait() else { return }
        waiting += 1
        defer { waiting -= 1 }
        condition.broadcast()
        while mustWait() { condition.wait() }
    }

    /// Runs `body` on the indexer's connection to the search file, between catch-ups.
    func withConnection<T>(_ body: (Database) throws -> T) throws -> T {
        try connection.inDatabase(body)
    }

    private func run() {
        while true {
            condition.lock()
            while !stopped, !pending { condition.wait() }
            let gathered = Date(timeIntervalSinceNow: Self.gatherDelay)
            while !stopped, waiting == 0, condition.wait(until: gathered) {}
            if stopped {
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
            pending = false
            condition.unlock()
            do {
                try catchUp()
            } catch {
                condition.lock()
                failure = error
                condition.broadcast()
                condition.unlock()
                // A full disk or a lock held elsewhere: try again shortly; searches answer from what the index holds
                // meanwhile (``Coverage/failing``).
                usleep(100_000)
                condition.lock()
                failure = nil
                pending = true
                condition.unlock()
            }
        }
    }

    /// Indexes the log rows after `search_meta.indexed_through`, a chunk at a time, until none are left.
    ///
    /// Each chunk is read from the database in a read transaction of its own, then indexed in a write transaction
    /// on the search file: a read of the database held open while FTS5 works would keep the writer from emptying the
    /// WAL (``Checkpointer``), which waits for readers.
    private func catchUp() throws {
        try connection.inDatabase { db in
            var more = true
            while more {
                let through = try Self.indexedThrough(db)
                var reached: Int64 = 0
                var records: [Current] = []
                try source.read { source in
                    // Every log row of the chunk with the record it names as it is now (NULL should there be none).
                    let rows = try Row.fetchCursor(
                        source.cachedStatement(
                            sql: """
                                SELECT l.seq, r.rowid, r.collection, r.body FROM change_log l
                                LEFT JOIN records r ON r.collection = l.collection AND r.id = l.record_id
                                WHERE l.seq > ? ORDER BY l.seq LIMIT ?
                                """),
                        arguments: [through, Self.chunk])
                    let chunk = try Self.current(rows)
                    records = chunk.records
                    more = chunk.rows == Self.chunk
                    reached = chunk.lastSequence ?? through
                    if !more {
                        // The log's last sequence, which compaction may have removed from the rows themselves.
                        reached = max(reached, try ReadSession(db: source).lastSequence())
                    }
                }
                if reached > through {
                    try db.inTransaction(.immediate) {
                        // Another process's indexer got here first: what was read may be older than what it wrote.
                        guard try Self.indexedThrough(db) == through else {
                            more = true
                            reached = through
                            return .rollback
                        }
                        let lastIndexed = try SearchIndex.lastIndexedRecord(db)
                        for record in records {
                            try SearchIndex.update(
                                db, record: record.rowID, leaves: record.leaves, texts: record.texts,
                                mayHaveRows: record.rowID <= lastIndexed)
                        }
                        try db.cachedStatement(sql: "UPDATE search_meta SET value = ? WHERE key = 'indexed_through'")
                            .execute(arguments: [String(reached)])
                        return .commit
                    }
                }
                condition.lock()
                indexed = max(indexed, reached)
                failure = nil
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// A record named by the log, as it is now: the text of each of its searchable leaves, nil once it is deleted.
    private typealias Current = (rowID: Int64, leaves: SearchableLeaves, texts: [String?]?)

    /// The records that the log rows `rows` (seq, then the record's rowid, collection and body) name, each once, in
    /// rowid order: FTS5 starts a new segment whenever a rowid is not above the last one written in the transaction.
    /// Also counts the rows and gives the last one's seq. A body is parsed from the row's bytes, as SQLite holds them,
    /// without copying it into a string first.
    private static func current(_ rows: RowCursor) throws -> (records: [Current], rows: Int, lastSequence: Int64?) {
        var seen = Set<Int64>()
        var current: [Current] = []
        var count = 0
        var last: Int64?
        while let row = try rows.next() {
            count += 1
            last = row[0]
            guard let rowID = row[1] as Int64?, seen.insert(rowID).inserted,
                let leaves = SearchableLeaves.of(row[2])
            else { continue }
            let texts = try row.withUnsafeData(atIndex: 3) { data in
                try data.map { data in
                    try data.withUnsafeBytes { leaves.texts(of: try StoredJSON.parse($0)) }
                }
            }
            current.append((rowID, leaves, texts))
        }
        return (current.sorted { $0.rowID < $1.rowID }, count, last)
    }
}
