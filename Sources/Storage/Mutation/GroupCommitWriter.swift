import Foundation
import GRDB
import Model
import Sync
import Synchronization

/// The single writer. Writes submitted concurrently are batched into one transaction (each in its
/// own savepoint, so one failing write does not undo the others) and acknowledged only after that
/// transaction commits: one commit per batch instead of one per request, and no acknowledged write
/// that a crash can take back.
final class GroupCommitWriter: @unchecked Sendable {
    // `queue`, `stopped` and `running` are guarded by `condition`; `clock` is only touched on the
    // writer thread, and published through `publishedClock`.
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopped = false
    private var running = false
    private var clock: HybridClock
    private let publishedClock: Locked<HLC>
    private let pool: DatabasePool
    private let checkpointer: Checkpointer
    private let node: NodeID
    private let maxBatch: Int
    let statistics = StoreStatistics()
    let commits = CommitSignal()
    private var thread: Thread?
    /// Follows the log this writer grows; set before ``start()``.
    var searchIndexer: SearchIndexer?
    /// The last log sequence this writer committed (writer thread only).
    private var lastWritten: Int64 = 0

    struct Job {
        let perform: (MutationSession) throws -> Void
        let finish: (Error?) -> Void
    }

    private let wallClock: @Sendable () -> UInt64

    init(
        pool: DatabasePool, checkpointer: Checkpointer, node: NodeID, clock: HybridClock,
        wallClock: @escaping @Sendable () -> UInt64, maxBatch: Int = 256
    ) {
        self.pool = pool
        self.checkpointer = checkpointer
        self.wallClock = wallClock
        self.node = node
        self.clock = clock
        self.publishedClock = Locked(clock.last)
        self.maxBatch = maxBatch
    }

    var lastClock: HLC { publishedClock.withLock { $0 } }

    /// Writes waiting for a batch (not counting the batch being committed).
    var queuedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard thread == nil else { return }
        let thread = Thread { [self] in run() }
        thread.name = "jobprep-writer"
        self.thread = thread
        running = true
        thread.start()
    }

    /// Queues `work`; `completion` runs on the writer thread after the batch commits (or fails).
    func submit<T: Sendable>(
        _ work: @escaping (MutationSession) throws -> T, completion: @escaping @Sendable (Result<T, Error>) -> Void
    ) {
        let box = Box<T>()
        let job = Job(
            perform: { session in box.value = try work(session) },
            finish: { error in
                if let error { completion(.failure(error)) } else { completion(.success(box.value!)) }
            })
        condition.lock()
        if stopped {
            condition.unlock()
            completion(.failure(StorageError.closing))
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `work` in the next batch and waits for its commit.
    func write<T: Sendable>(_ work: @escaping (MutationSession) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Box<Result<T, Error>>()
        submit(work) { outcome in
            result.value = outcome
            done.signal()
        }
        done.wait()
        return try result.value!.get()
    }

    /// Finishes the queued writes, then stops the thread.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while let batch = nextBatch() {
            commit(batch)
        }
        condition.lock()
        running = false
        condition.broadcast()
        condition.unlock()
    }

    private func nextBatch() -> [Job]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !stopped { condition.wait() }
        if queue.isEmpty { return nil }
        let count = min(queue.count, maxBatch)
        let batch = Array(queue.prefix(count))
        queue.removeFirst(count)
        return batch
    }

    /// Commits a batch and answers each of its jobs.
    ///
    /// Some errors (`SQLITE_FULL`, `SQLITE_IOERR`, `SQLITE_NOMEM`) can make SQLite roll back the whole transaction
    /// in the middle of a statement, not just the statement: the jobs that ran before in the batch are then undone
    /// too, although their savepoints were released. So after a job fails, the writer checks that the transaction
    /// is still open; if it is not, the job that broke it gets its error and every other job of the batch runs
    /// again, each in a transaction of its own, so that one write that does not fit cannot fail (or, worse, be
    /// acknowledged for) writes that do. See https://www.sqlite.org/lang_transaction.html ("Response To Errors
    /// Within A Transaction").
    private func commit(_ batch: [Job]) {
        searchIndexer?.holdWriterWhileBehind(lastWritten)
        var outcomes = [Error?](repeating: nil, count: batch.count)
        var applied = 0
        var lastSequence: Int64?
        switch transact(batch, &outcomes) {
        case .committed(let cells, let sequence):
            applied = cells
            lastSequence = sequence
        case .aborted(let index, let error):
            outcomes[index] = error
            retryAlone(batch, except: index, &outcomes, &applied, &lastSequence)
        case .failed where batch.count > 1:
            // BEGIN, the batch's bookkeeping or COMMIT failed (a full disk can refuse the commit itself):
            // nothing was stored. Smaller transactions may fit, and one write that does not must not fail the others.
            outcomes = [Error?](repeating: nil, count: batch.count)
            retryAlone(batch, except: nil, &outcomes, &applied, &lastSequence)
        case .failed(let error):
            outcomes = outcomes.map { $0 ?? error }
        }
        statistics.changesApplied.add(applied, ordering: .relaxed)
        statistics.writeBatches.add(1, ordering: .relaxed)
        statistics.writes.add(batch.count, ordering: .relaxed)
        let last = clock.last
        publishedClock.withLock { $0 = last }
        for (job, outcome) in zip(batch, outcomes) { job.finish(outcome) }
        if let lastSequence {
            lastWritten = lastSequence
            searchIndexer?.request(lastSequence)
            commits.publish(lastSequence)
        }
    }

    /// Runs each job of a batch that could not commit whole in a transaction of its own.
    private func retryAlone(
        _ batch: [Job], except skipped: Int?, _ outcomes: inout [Error?], _ applied: inout Int,
        _ lastSequence: inout Int64?
    ) {
        for i in batch.indices where i != skipped {
            var single: [Error?] = [nil]
            switch transact([batch[i]], &single) {
            case .committed(let cells, let sequence):
                outcomes[i] = single[0]
                applied += cells
                if let sequence { lastSequence = max(lastSequence ?? sequence, sequence) }
            case .aborted(_, let error):
                outcomes[i] = error
            case .failed(let error):
                outcomes[i] = single[0] ?? error
            }
        }
    }

    private enum Attempt {
        /// Committed: the cells applied and the last log sequence written.
        case committed(cells: Int, lastSequence: Int64?)
        /// SQLite rolled the transaction back while job `index` ran; nothing of the attempt is stored.
        case aborted(index: Int, error: Error)
        /// BEGIN, the bookkeeping or COMMIT failed; nothing of the attempt is stored.
        case failed(Error)
    }

    /// Runs `jobs` in one transaction, each in its own savepoint; a job that throws is rolled back alone and its
    /// error goes in `outcomes`.
    private func transact(_ jobs: [Job], _ outcomes: inout [Error?]) -> Attempt {
        var clock = self.clock
        var committed = (cells: 0, lastSequence: Int64?.none)
        var aborted: (index: Int, error: Error)?
        do {
            try pool.writeWithoutTransaction { db in
                checkpointer.bound(db)
                try db.inTransaction(.immediate) {
                    let session = MutationSession(db: db, node: node, clock: clock, wallClock: wallClock)
                    // Another process (the command line) may have written since our last batch.
                    session.clock.observe(try Meta.clock(db))
                    defer { clock = session.clock }
                    for (index, job) in jobs.enumerated() {
                        let appliedBefore = session.appliedCells
                        do {
                            try Self.inSavepoint(db) { try job.perform(session) }
                        } catch {
                            let failure = StorageError.wrap(error)
                            outcomes[index] = failure
                            session.appliedCells = appliedBefore
                            if !db.isInsideTransaction {
                                aborted = (index, failure)
                                throw failure
                            }
                        }
                    }
                    try Meta.setClock(db, session.clock.last)
                    committed = (session.appliedCells, session.lastSequence)
                    return .commit
                }
            }
        } catch {
            // Keep the clock even when nothing was committed: it only ever moves forward.
            self.clock.observe(clock.last)
            if let aborted { return .aborted(index: aborted.index, error: aborted.error) }
            return .failed(StorageError.wrap(error))
        }
        self.clock.observe(clock.last)
        return .committed(cells: committed.cells, lastSequence: committed.lastSequence)
    }
}

extension GroupCommitWriter {
    /// What `Database.inSavepoint` does for a job, with its statements prepared once: GRDB runs `SAVEPOINT` and
    /// `RELEASE` through `execute(sql:)`, which compiles them again for every write (34,000 instructions of a
    /// create's 526,000 in the writer). A failed job is rolled back to its savepoint, unless SQLite already rolled
    /// back the whole transaction (see ``commit(_:)``).
    fileprivate static func inSavepoint(_ db: Database, _ work: () throws -> Void) throws {
        try db.cachedStatement(sql: "SAVEPOINT job").execute()
        do {
            try work()
        } catch {
            if db.isInsideTransaction {
                do {
                    try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT job").execute()
                    try db.cachedStatement(sql: "RELEASE SAVEPOINT job").execute()
                } catch {
                    // The job cannot be undone alone: undo the whole transaction, so that ``commit(_:)`` runs the
                    // batch's other jobs again one by one, as when SQLite itself rolls back.
                    try? db.execute(sql: "ROLLBACK")
                }
            }
            throw error
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT job").execute()
    }
}

/// A mutable slot handed between the writer thread and a waiter; the hand-over is ordered by the
/// writer's commit and a semaphore or callback, never by concurrent access.
final class Box<T>: @unchecked Sendable {
    var value: T?
}

/// Counters a running store keeps for `/metrics`.
public final class StoreStatistics: Sendable {
    /// Change cells committed since the store was opened.
    public let changesApplied = Atomic<Int>(0)
    /// Batches the writer has run (each one transaction, unless a failure split it).
    public let writeBatches = Atomic<Int>(0)
    /// Writes submitted to the writer and answered, in all batches: `writes / writeBatches` is the mean batch.
    public let writes = Atomic<Int>(0)
}
