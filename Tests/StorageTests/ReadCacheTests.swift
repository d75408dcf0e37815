import Foundation
import GRDB
import Model
import Sync
import Synchronization
import Testing

@testable import Storage

/// The read cache answers from memory only while the database is at the state its entries were read at: every
/// commit, whichever connection or process makes it, sends the next lookup back to SQLite.
@Suite struct ReadCacheTests {
    private func create(_ store: Store, _ name: String, why: String = "") throws -> StoredRecord {
        let input = try BodyValidator.validateCreate(["name": .string(name), "why": .string(why)], in: Catalog.values)
            .get()
        return try store.write { session in try session.create(Catalog.values, input) }
    }

    @Test func theStampChangesWithEveryCommitAndNothingElse() throws {
        let t = try TemporaryStore()
        let probe = try #require(t.store.commitProbe)
        let before = probe.stamp()
        _ = try t.store.list(Catalog.values, ListQuery())
        #expect(probe.stamp() == before)
        try t.store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
        #expect(probe.stamp() == before, "a checkpoint changes no data")
        _ = try create(t.store, "Curiosity")
        let afterOne = probe.stamp()
        #expect(afterOne != before)
        _ = try create(t.store, "Craft")
        #expect(probe.stamp() != afterOne)
    }

    @Test func aRecordReadTwiceComesFromMemoryUntilACommit() throws {
        let t = try TemporaryStore()
        let hash = Tokens.hash(try t.store.createToken(name: "laptop", scope: .read))
        let record = try create(t.store, "Curiosity")
        let read = { try t.store.token(hash: hash, record: (Catalog.values, record.id)) }
        let first = try read()
        #expect(first.token?.name == "laptop" && first.record == record)
        #expect(t.store.readCache.counts == (hits: 0, misses: 1))
        // The token is kept at once; the record on its second miss (the admission rule).
        #expect(try read().record == record)
        #expect(t.store.readCache.counts == (hits: 0, misses: 2))
        #expect(try read().record == record)
        #expect(t.store.readCache.counts == (hits: 1, misses: 2))
        _ = try create(t.store, "Craft")
        #expect(try read().record == record)
        #expect(t.store.readCache.counts == (hits: 1, misses: 3))
    }

    @Test func recordsReadOnceAreNotKept() throws {
        let t = try TemporaryStore()
        let hash = Tokens.hash(try t.store.createToken(name: "laptop", scope: .read))
        let records = try (0..<20).map { try create(t.store, "Value \($0)") }
        for record in records {
            #expect(try t.store.token(hash: hash, record: (Catalog.values, record.id)).record == record)
        }
        #expect(t.store.readCache.recordBytes == 0)
        _ = try t.store.token(hash: hash, record: (Catalog.values, records[3].id))
        #expect(t.store.readCache.recordBytes == records[3].body.utf8.count)
    }

    /// A second store on the same file stands for another process: its commits reach the first store's cache
    /// through the shared WAL index, not through anything the two share in memory.
    @Test func changesCommittedElsewhereAreSeenAtOnce() throws {
        let t = try TemporaryStore()
        let secret = try t.store.createToken(name: "laptop", scope: .write)
        let record = try create(t.store, "Curiosity")
        let lookup = { try t.store.token(hash: Tokens.hash(secret), record: (Catalog.values, record.id)) }
        for _ in 0..<3 { #expect(try lookup().record == record) }
        #expect(t.store.readCache.counts.hits == 1, "the third read came from memory")

        let other = try Store(path: t.path)
        defer { other.close() }
        let edited = try other.write { session in
            try session.update(Catalog.values, id: record.id, values: ["name": "Rigour"])
        }
        for _ in 0..<3 { #expect(try lookup().record == edited) }
        #expect(try other.revokeToken(name: "laptop"))
        #expect(try lookup().token == nil)
        #expect(try lookup().token == nil)
    }

    @Test func recordsStayWithinTheByteLimitAndUnknownsAreNotKept() throws {
        let t = try TemporaryStore(
            options: {
                var o = StoreOptions()
                o.readCacheBytes = 2_000
                return o
            }())
        let hash = Tokens.hash(try t.store.createToken(name: "laptop", scope: .read))
        let records = try (0..<12).map { try create(t.store, "Value \($0)", why: String(repeating: "x", count: 300)) }
        for _ in 0..<3 {
            for record in records {
                #expect(try t.store.token(hash: hash, record: (Catalog.values, record.id)).record == record)
                #expect(t.store.readCache.recordBytes <= 2_000)
            }
        }
        #expect(t.store.readCache.recordBytes > 0)
        let missing = RecordID.make(unixMillis: HybridClock.wallMillis())
        for _ in 0..<2 { #expect(try t.store.token(hash: hash, record: (Catalog.values, missing)).record == nil) }
        for _ in 0..<2 { #expect(try t.store.token(hash: Tokens.hash("jp_unknown")).token == nil) }
        let counts = t.store.readCache.counts
        _ = try t.store.token(hash: hash, record: (Catalog.values, missing))
        _ = try t.store.token(hash: Tokens.hash("jp_unknown"))
        #expect(t.store.readCache.counts.misses == counts.misses + 2)
    }
}

/// Reads from several threads while a writer commits edit after edit: a read that begins after an edit's commit
/// returned sees that edit or a later one, never the cache's older copy.
@Suite struct ReadCacheConcurrencyTests {
    @Test func aReadAfterACommitSeesIt() throws {
        let t = try TemporaryStore()
        let store = t.store
        let hash = Tokens.hash(try store.createToken(name: "laptop", scope: .read))
        let input = try BodyValidator.validateCreate(["name": "v0"], in: Catalog.values).get()
        let id = try store.write { session in try session.create(Catalog.values, input) }.id
        let edits = 200
        let committed = Atomic<Int>(0)
        let stale = Atomic<Int>(0)
        let reads = Atomic<Int>(0)
        let writer = Thread {
            for edit in 1...edits {
                _ = try? store.write { session in
                    try session.update(Catalog.values, id: id, values: ["name": .string("v\(edit)")])
                }
                committed.store(edit, ordering: .sequentiallyConsistent)
            }
        }
        writer.start()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            while true {
                let floor = committed.load(ordering: .sequentiallyConsistent)
                guard let record = try? store.token(hash: hash, record: (Catalog.values, id)).record,
                    let name = (try? JSONParser.parse(Array(record.body.utf8)))?.objectValue?["name"]?.stringValue,
                    let seen = Int(name.dropFirst())
                else {
                    stale.add(1, ordering: .relaxed)
                    break
                }
                reads.add(1, ordering: .relaxed)
                if seen < floor { stale.add(1, ordering: .relaxed) }
                if floor == edits { break }
            }
        }
        #expect(stale.load(ordering: .relaxed) == 0)
        #expect(reads.load(ordering: .relaxed) > edits)
        #expect(store.readCache.counts.hits > 0, "some reads between commits came from memory")
    }
}

extension ReadCache {
    fileprivate var counts: (hits: Int, misses: Int) { (status.hits, status.misses) }
    fileprivate var recordBytes: Int { status.recordBytes }
}
