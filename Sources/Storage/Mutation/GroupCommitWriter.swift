import Foundation
import Synchronization
import GRDB
import Model
import Sync

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
    private let node: NodeID
    private let maxBatch: Int
    let statistics = StoreStatistics()
    let commits = CommitSignal()
    private var thread: Thread?

    struct Job {
        let perform: (MutationSession) throws -> Void
        let finish: (Error?) -> Void
    }

    private let wallClock: @Sendable () -> UInt64

    init(
        pool: DatabasePool, node: NodeID, clock: HybridClock, wallClock: @escaping @Sendable () -> UInt64,
        maxBatch: Int = 256
    ) {
        self.pool = pool
        self.wallClock = wallClock
        self.node = node
        self.clock = clock
        self.publishedClock = Locked(clock.last)
        self.maxBatch = maxBatch
    }

    var lastClock: HLC { publishedClock.withLock { $0 } }

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
            completion(.failure(StorageError.database("the store is closed")))
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

    private func commit(_ batch: [Job]) {
        var outcomes = [Error?](repeating: nil, count: batch.count)
        var clock = self.clock
        var applied = 0
        var lastSequence: Int64?
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let session = MutationSession(db: db, node: node, clock: clock, wallClock: wallClock)
                    // Another process (the command line) may have written since our last batch.
                    session.clock.observe(try Meta.clock(db))
                    for (index, job) in batch.enumerated() {
                        let appliedBefore = session.appliedCells
                        let searchUpdatesBefore = session.pendingSearchUpdates.count
                        do {
                            try db.inSavepoint {
                                try job.perform(session)
                                return .commit
                            }
                        } catch {
                            outcomes[index] = StorageError.wrap(error)
                            session.appliedCells = appliedBefore
                            session.pendingSearchUpdates.removeSubrange(searchUpdatesBefore...)
                        }
                    }
                    try session.flushSearchIndex()
                    try Meta.setClock(db, session.clock.last)
                    clock = session.clock
                    applied = session.appliedCells
                    lastSequence = session.lastSequence
                    return .commit
                }
            }
            statistics.changesApplied.add(applied, ordering: .relaxed)
        } catch {
            let failure = StorageError.wrap(error)
            outcomes = outcomes.map { $0 ?? failure }
        }
        // Keep the clock even when the commit failed: it only ever moves forward.
        self.clock.observe(clock.last)
        let last = self.clock.last
        publishedClock.withLock { $0 = last }
        for (job, outcome) in zip(batch, outcomes) { job.finish(outcome) }
        if let lastSequence { commits.publish(lastSequence) }
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
}
