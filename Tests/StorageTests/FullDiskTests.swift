import Dispatch
import Foundation
import GRDB
import Model
import Synchronization
import Testing

@testable import Storage

/// A database that cannot grow: writes fail whole with ``StorageError/full``, nothing is half-applied, reads go on,
/// and writes resume once there is room. `PRAGMA max_page_count` stands in for the disk (scripts/full-disk.sh fills
/// a real one).
@Suite struct FullDiskTests {
    private func value(_ id: String, why: String = "") throws -> CreateInput {
        try BodyValidator.validateCreate(
            ["id": .string(id), "name": .string(id), "why": .string(why)], in: Catalog.values
        )
        .get()
    }

    /// A story whose four long fields (and their search rows and log cells) need far more than a few pages.
    private func bigStory(_ id: String) throws -> CreateInput {
        let text = String(repeating: "a long paragraph about the ledger rewrite ", count: 1100)
        return try BodyValidator.validateCreate(
            [
                "id": .string(id), "title": "Big", "use_case": .string(text), "design": .string(text),
                "challenges": .string(text), "outcome": .string(text),
            ], in: Catalog.stories
        ).get()
    }

    /// Rows of the tables the mutation path writes together, to show a refused write left no trace.
    private func footprint(_ store: Store) throws -> [Int] {
        try store.readSearchIndex { db in
            try ["records", "change_log", "history", "search_index"].map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1
            }
        }
    }

    private func integrity(_ store: Store) throws -> String {
        try store.readDatabase { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    @Test func aFullDatabaseRefusesWritesWholeKeepsReadingAndResumesWithRoom() throws {
        let t = try TemporaryStore()
        let store = t.store
        try store.setMaxPageCount(try store.pageCount() + 8)
        var stored: [String] = []
        var refusal: Error?
        for n in 0..<2000 {
            let before = try footprint(store)
            do {
                let input = try value("v\(n)", why: String(repeating: "why not ", count: 200))
                _ = try store.write { s in try s.create(Catalog.values, input) }
                stored.append("v\(n)")
            } catch {
                refusal = error
                #expect(try footprint(store) == before, "a refused write left rows behind")
                break
            }
        }
        #expect(refusal as? StorageError == .full)
        #expect(!stored.isEmpty)
        // Every acknowledged write is there; the refused one is not; the file is sound.
        for id in stored { #expect(try store.record(Catalog.values, id: id) != nil) }
        #expect(try store.record(Catalog.values, id: "v\(stored.count)") == nil)
        #expect(try integrity(store) == "ok")
        // Reads keep working, and so do writes that need no new page... or are refused cleanly.
        var query = ListQuery()
        query.limit = 500
        #expect(try store.list(Catalog.values, query).items.count == stored.count)
        // Room again: writes resume.
        try store.setMaxPageCount(1_000_000)
        _ = try store.write { s in try s.create(Catalog.values, try value("after")) }
        #expect(try store.record(Catalog.values, id: "after") != nil)
        #expect(try integrity(store) == "ok")
    }

    @Test func aWriteThatDoesNotFitFailsAloneInItsBatch() throws {
        let t = try TemporaryStore()
        let store = t.store
        try store.setMaxPageCount(try store.pageCount() + 12)
        let release = holdWriter(store)
        let outcomes = Locked<[String: Result<String, StorageError>]>([:])
        let done = DispatchGroup()
        let inputs: [(String, CreateInput, CollectionSpec)] = [
            ("small-1", try value("small-1"), Catalog.values), ("big", try bigStory("big"), Catalog.stories),
            ("small-2", try value("small-2"), Catalog.values), ("small-3", try value("small-3"), Catalog.values),
        ]
        for (name, input, collection) in inputs {
            done.enter()
            store.submit({ s in try s.create(collection, input).id }) { result in
                outcomes.withLock { $0[name] = storageResult(result) }
                done.leave()
            }
        }
        release()
        done.wait()
        let results = outcomes.withLock { $0 }
        #expect(results["big"] == .failure(.full))
        for name in ["small-1", "small-2", "small-3"] {
            #expect(results[name] == .success(name), "\(name): \(String(describing: results[name]))")
        }
        // What was acknowledged is stored, and only that.
        for (name, _, collection) in inputs {
            let present = try store.record(collection, id: name) != nil
            #expect(present == ((try? results[name]?.get()) != nil), "\(name)")
        }
        #expect(try integrity(store) == "ok")
    }

    @Test func aCommitRefusedOnceIsRetriedWriteByWriteAndAcknowledgedOnlyWhenCommitted() throws {
        let t = try TemporaryStore()
        let store = t.store
        let refuse = FailingCommits()
        store.pool.add(transactionObserver: refuse, extent: .databaseLifetime)
        let release = holdWriter(store)
        refuse.failOnce.store(true, ordering: .sequentiallyConsistent)
        let outcomes = Locked<[String: Result<String, StorageError>]>([:])
        let done = DispatchGroup()
        for n in 0..<3 {
            let input = try value("r\(n)")
            done.enter()
            store.submit({ s in try s.create(Catalog.values, input).id }) { result in
                outcomes.withLock { $0["r\(n)"] = storageResult(result) }
                done.leave()
            }
        }
        release()
        done.wait()
        // The batch's commit failed once; each write then committed on its own and only then was acknowledged.
        for n in 0..<3 {
            #expect(outcomes.withLock { $0["r\(n)"] } == .success("r\(n)"))
            #expect(try store.record(Catalog.values, id: "r\(n)") != nil)
        }
    }

    /// A write that cannot be rolled back to its savepoint (here it released the savepoint itself) undoes the whole
    /// batch, which runs again write by write without it: it gets its error, nothing of it is stored, and the writes
    /// around it are stored and acknowledged.
    @Test func aWriteThatCannotBeUndoneAloneIsDroppedAndItsBatchRetriedWithoutIt() throws {
        struct Broken: Error {}
        let t = try TemporaryStore()
        let store = t.store
        let release = holdWriter(store)
        let outcomes = Locked<[String: Result<String, StorageError>]>([:])
        let done = DispatchGroup()
        for name in ["before", "broken", "after"] {
            let input = try value(name)
            done.enter()
            store.submit(
                { s in
                    if name == "broken" {
                        try s.db.execute(sql: "RELEASE SAVEPOINT job")
                        _ = try s.create(Catalog.values, input)
                        throw Broken()
                    }
                    return try s.create(Catalog.values, input).id
                },
                completion: { result in
                    outcomes.withLock { $0[name] = storageResult(result) }
                    done.leave()
                })
        }
        release()
        done.wait()
        let results = outcomes.withLock { $0 }
        #expect(results["before"] == .success("before"))
        #expect(results["after"] == .success("after"))
        #expect((try? results["broken"]?.get()) == nil)
        #expect(try store.record(Catalog.values, id: "before") != nil)
        #expect(try store.record(Catalog.values, id: "after") != nil)
        #expect(try store.record(Catalog.values, id: "broken") == nil)
    }

    @Test func aCommitRefusedByAFullDiskAcknowledgesNothing() throws {
        let t = try TemporaryStore()
        let store = t.store
        let refuse = FailingCommits()
        store.pool.add(transactionObserver: refuse, extent: .databaseLifetime)
        let before = try footprint(store)
        let release = holdWriter(store)
        refuse.failing.store(true, ordering: .sequentiallyConsistent)
        let outcomes = Locked<[Result<String, StorageError>]>([])
        let done = DispatchGroup()
        for n in 0..<3 {
            let input = try value("c\(n)")
            done.enter()
            store.submit({ s in try s.create(Catalog.values, input).id }) { result in
                outcomes.withLock { $0.append(storageResult(result)) }
                done.leave()
            }
        }
        release()
        done.wait()
        // The batch's commit failed, and so did each write's retry on its own: nothing acknowledged, nothing stored.
        #expect(outcomes.withLock { $0 } == Array(repeating: .failure(.full), count: 3))
        #expect(try footprint(store) == before)
        // Room again: the next commit goes through.
        refuse.failing.store(false, ordering: .sequentiallyConsistent)
        _ = try store.write { s in try s.create(Catalog.values, try value("later")) }
        #expect(try store.record(Catalog.values, id: "later") != nil)
        #expect(try store.record(Catalog.values, id: "c0") == nil)
    }
}

/// Holds the writer thread on a job until the returned function is called, so that the writes submitted meanwhile
/// commit as one batch.
private func holdWriter(_ store: Store) -> @Sendable () -> Void {
    let gate = DispatchSemaphore(value: 0)
    let holding = DispatchSemaphore(value: 0)
    store.submit({ _ in
        holding.signal()
        gate.wait()
    }) { _ in }
    holding.wait()
    return { gate.signal() }
}

private func storageResult(_ result: Result<String, Error>) -> Result<String, StorageError> {
    result.mapError { $0 as? StorageError ?? .database("\($0)") }
}

/// Refuses the next commit that writes to the change log the way a full disk does (`SQLITE_FULL` from COMMIT).
private final class FailingCommits: TransactionObserver, Sendable {
    /// While set, every commit that writes to the change log fails, as on a disk that stays full.
    let failing = Atomic(false)
    /// The next commit that writes to the change log fails, and later ones go through.
    let failOnce = Atomic(false)
    /// Touched only on the writer connection's queue, one transaction at a time.
    private let wroteLog = Atomic(false)

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { eventKind.tableName == "change_log" }
    func databaseDidChange(with event: DatabaseEvent) { wroteLog.store(true, ordering: .relaxed) }
    func databaseWillCommit() throws {
        guard wroteLog.exchange(false, ordering: .relaxed) else { return }
        if failing.load(ordering: .sequentiallyConsistent)
            || failOnce.exchange(false, ordering: .sequentiallyConsistent)
        {
            throw DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full")
        }
    }
    func databaseDidCommit(_ db: Database) { wroteLog.store(false, ordering: .relaxed) }
    func databaseDidRollback(_ db: Database) { wroteLog.store(false, ordering: .relaxed) }
}
