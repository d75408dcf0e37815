import Foundation
import GRDB
import Model
import Sync
import Synchronization

/// How hard a commit works to survive.
public enum Durability: String, Sendable, CaseIterable {
    /// WAL with `synchronous=NORMAL`: a committed write survives the process crashing or being
    /// killed; on power loss the last commits may be lost but the database stays consistent.
    case normal
    /// WAL with `synchronous=FULL`: every commit is fsynced; a committed write survives power loss.
    case full
}

public struct StoreOptions: Sendable {
    public var durability: Durability = .normal
    /// How far ahead of the local clock a remote change may be.
    public var maxClockSkewMillis: UInt64 = 5 * 60 * 1000
    public var readers: Int = 4
    /// Caps the database at this many pages (`PRAGMA max_page_count`); a write that needs more fails as on a full
    /// disk (``StorageError/full``). Nil: only the disk limits it. The full-disk tests use it.
    public var maxPageCount: Int?
    /// Milliseconds since the epoch; the simulation gives each replica a clock of its own.
    public var wallClock: @Sendable () -> UInt64 = { HybridClock.wallMillis() }
    /// WAL pages that start a background checkpoint, and past which the writer empties the WAL before going on
    /// (nil: four times the first). See ``Checkpointer``.
    public var walCheckpointPages: Int32 = Checkpointer.defaultThreshold
    public var walLimitPages: Int32?
    /// Bytes of record JSON that ``ReadCache`` keeps between commits; 0 keeps no records (tokens are still kept).
    public var readCacheBytes = 1 << 20
    /// Log rows the search index may lag behind the writer's commits before the writer waits for it, which bounds how
    /// long a search waits for the index (``SearchIndexer``).
    public var searchLagBound: Int64 = 8_192

    public init() {}
}

/// A JobPrep database: SQLite in WAL mode, one writer (``GroupCommitWriter``) and parallel readers
/// (``ReaderPool``).
public final class Store: Sendable {
    public let path: String
    public let nodeID: NodeID
    let pool: DatabasePool
    let readers: ReaderPool
    /// Readers with the search file attached (as `search`), for searches only: the other readers stay without it.
    let searchReaders: ReaderPool
    let writer: GroupCommitWriter
    let checkpointer: Checkpointer
    let searchIndexer: SearchIndexer
    /// Nil without a WAL index to read; then every read is a read transaction.
    let commitProbe: CommitProbe?
    let readCache: ReadCache
    private let closed = Locked(false)
    /// Reads in progress; ``close()`` waits for them, and reads after it fail instead of touching closed
    /// connections (which crashes inside SQLite).
    private let readGate = ReadGate()

    /// Opens (creating if needed) the database at `path`, migrates it and seeds a new dataset.
    public init(path: String, options: StoreOptions = StoreOptions()) throws {
        SQLiteSetup.applied
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(Double(Checkpointer.busyTimeoutMillis) / 1000)
        config.maximumReaderCount = max(1, options.readers)
        let synchronous = options.durability == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            // No mmap: mapped pages count in the daemon's RSS as the database grows (peak RSS under the benchmark's
            // load was 61.5 MiB with a 256 MiB map, 38.2 without), and the views measured no faster with it
            // (Benchmarks/PROFILE.md).
            if let pages = options.maxPageCount { _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Migrations.migrator.migrate(pool)
            let checkpointer = try Checkpointer(
                path: path, configuration: config, threshold: options.walCheckpointPages, limit: options.walLimitPages)
            pool.writeWithoutTransaction { db in checkpointer.take(over: db) }
            self.checkpointer = checkpointer
            commitProbe = pool.writeWithoutTransaction { db in CommitProbe(db) }
            readCache = ReadCache(recordByteLimit: options.readCacheBytes)
            let (node, clock) = try pool.write { db in try Store.identify(db, path: path) }
            nodeID = node
            searchIndexer = try SearchIndexer(
                databasePath: path, node: node, busyTimeout: Double(Checkpointer.busyTimeoutMillis) / 1000,
                lagBound: options.searchLagBound)
            readers = ReaderPool(path: path, configuration: config)
            var searchConfig = config
            let searchPath = SearchIndexer.path(for: path)
            searchConfig.prepareDatabase { db in
                try db.execute(sql: "ATTACH DATABASE ? AS search", arguments: [searchPath])
                try db.execute(sql: "PRAGMA search.cache_size = -256")
            }
            searchReaders = ReaderPool(path: path, configuration: searchConfig)
            writer = GroupCommitWriter(
                pool: pool, checkpointer: checkpointer, node: node,
                clock: HybridClock(last: clock, maxSkewMillis: options.maxClockSkewMillis),
                wallClock: options.wallClock)
        } catch {
            throw StorageError.wrap(error)
        }
        writer.searchIndexer = searchIndexer
        searchIndexer.start()
        writer.start()
        try write { session in try Seed.apply(session) }
    }

    /// Commits the writes already queued (their submitters get their answers), then refuses new ones with
    /// ``StorageError/closing``; reads go on until ``close()``.
    public func finishWrites() {
        writer.stop()
    }

    /// Finishes queued writes, waits for reads in progress, and closes the database; later calls do nothing.
    public func close() {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        writer.stop()
        readGate.close()
        searchIndexer.stop()
        pool.writeWithoutTransaction { db in checkpointer.handBack(db) }
        readers.close()
        searchReaders.close()
        try? pool.close()
    }

    // MARK: Reading and writing

    /// Runs `body` in a read transaction on one of the reader connections.
    public func read<T>(_ body: (ReadSession) throws -> T) throws -> T {
        try readDatabase { db in try body(ReadSession(db: db)) }
    }

    func readDatabase<T>(_ body: (Database) throws -> T) throws -> T {
        try withReaders { try readers.read(body) }
    }

    /// Runs `body`, which reads from the reader pool, unless the store is closing; maps its errors.
    func withReaders<T>(_ body: () throws -> T) throws -> T {
        guard readGate.enter() else { throw StorageError.closing }
        defer { readGate.leave() }
        do {
            return try body()
        } catch {
            throw StorageError.wrap(error)
        }
    }

    /// Queues a write; `completion` runs after its batch commits, on the writer thread.
    public func submit<T: Sendable>(
        _ work: @escaping (MutationSession) throws -> T,
        completion: @escaping @Sendable (Result<T, Error>) -> Void
    ) {
        writer.submit(work, completion: completion)
    }

    /// Runs a write and waits for it to commit.
    public func write<T: Sendable>(_ work: @escaping (MutationSession) throws -> T) throws -> T {
        try writer.write(work)
    }

    /// Changes the page cap of the writer connection (see ``StoreOptions/maxPageCount``) and returns the cap now
    /// in force: SQLite never sets it below the current size.
    @discardableResult
    func setMaxPageCount(_ pages: Int) throws -> Int {
        do {
            return try pool.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") ?? 0
            }
        } catch {
            throw StorageError.wrap(error)
        }
    }

    /// The database's size in pages.
    func pageCount() throws -> Int {
        try readDatabase { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
    }

    /// Writes waiting for the writer (the tests wait for one to be queued).
    var queuedWrites: Int { writer.queuedCount }

    public var statistics: StoreStatistics { writer.statistics }

    /// Signals commits that grew the change log.
    public var commits: CommitSignal { writer.commits }

    /// The latest clock reading this replica has issued or seen.
    public var clock: HLC { writer.lastClock }

    // MARK: Queries

    /// How long a search waits for the index to catch up with the writes committed before it began.
    static let searchWait: TimeInterval = 10

    /// Full-text search (``ReadSession/search(_:limit:offset:)``) once the index covers every write committed when it
    /// begins, so a search finds what was just acknowledged.
    public func search(_ text: String, limit: Int, offset: Int) throws -> SearchPage {
        try readSearchIndex { db in try ReadSession(db: db).search(text, limit: limit, offset: offset) }
    }

    /// Runs `body` in a read transaction with the search file attached, once the index covers the log as it stands.
    func readSearchIndex<T>(_ body: (Database) throws -> T) throws -> T {
        try waitForSearchIndex()
        return try withReaders { try searchReaders.read(body) }
    }

    /// Waits until the search index covers the log as it stands; ``StorageError/searchBehind`` if it does not within
    /// ``searchWait``. While the index cannot be written (a full disk), searches go on with what it holds: reads keep
    /// working on a full disk, and the writes it misses are the last ones before the disk filled.
    private func waitForSearchIndex() throws {
        let logged = try withReaders { try readers.readOneStatement { db in try ReadSession(db: db).lastSequence() } }
        switch searchIndexer.waitUntilIndexed(through: logged, timeout: Self.searchWait) {
        case .covered, .failing: return
        case .behind: throw StorageError.searchBehind
        }
    }

    public func record(_ collection: CollectionSpec, id: String) throws -> StoredRecord? {
        try read { session in try session.record(collection, id: id) }
    }

    public func list(_ collection: CollectionSpec, _ query: ListQuery) throws -> ListPage {
        try read { session in try session.list(collection, query) }
    }

    // MARK: Identity

    /// Reads the replica's node id and clock, making a fresh node id for a new database or for
    /// one that was copied or restored (its file is not the one the id was made for).
    private static func identify(_ db: Database, path: String) throws -> (NodeID, HLC) {
        let identity = fileIdentity(path)
        var node = try Meta.get(db, "node_id").flatMap(NodeID.init(hex:))
        let recordedIdentity = try Meta.get(db, "file_identity")
        if node == nil || recordedIdentity != identity {
            node = NodeID.random()
            try Meta.set(db, "node_id", node!.hex)
            try Meta.set(db, "file_identity", identity)
        }
        // Every commit saves the clock with the log rows it writes, and the clock has observed each of their hlcs, so
        // the saved clock is never behind the log. The log is read only when no clock was ever saved: `max(hlc)` has
        // no index, and that scan touched every page of a large database at each start (RSS and cold start).
        if let saved = try Meta.get(db, "hlc").flatMap(HLC.init(hex:)) { return (node!, saved) }
        let logged = try Int64.fetchOne(db, sql: "SELECT max(hlc) FROM change_log").map {
            HLC(rawValue: UInt64(bitPattern: $0))
        }
        return (node!, logged ?? .zero)
    }

    /// The database file's device, inode and absolute path: a copy or a restore changes at least one.
    static func fileIdentity(_ path: String) -> String {
        var info = stat()
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard stat(path, &info) == 0 else { return absolute }
        return "\(info.st_dev):\(info.st_ino):\(absolute)"
    }
}

/// Counts reads in progress so that closing can wait for them and refuse later ones. Every read (every GET) passes
/// here twice, so it is an atomic counter rather than a lock the worker threads would contend for; closing, which
/// happens once, polls.
private final class ReadGate: Sendable {
    /// Twice the reads in progress, plus one once closing has begun.
    private let state = Atomic<Int>(0)

    /// False once closing has begun.
    func enter() -> Bool {
        if state.add(2, ordering: .acquiring).oldValue & 1 == 0 { return true }
        state.subtract(2, ordering: .releasing)
        return false
    }

    func leave() {
        state.subtract(2, ordering: .releasing)
    }

    /// Refuses new reads and waits for those in progress.
    func close() {
        state.bitwiseOr(1, ordering: .sequentiallyConsistent)
        while state.load(ordering: .acquiring) != 1 { usleep(1_000) }
    }
}
