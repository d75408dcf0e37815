import Foundation
import GRDB
import Model
import Testing

@testable import Storage

/// The search index follows the records: one FTS5 row per non-empty text leaf, rewritten when the leaf's text
/// changes and removed with it.
@Suite struct SearchIndexTests {
    private static let words = ["ledger", "billing", "kafka", "rollout", "latency", "pager", "rust", "mentor"]

    /// A small deterministic generator (the test must fail the same way twice).
    private struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func phrase() -> String {
            (0..<(1 + next(3))).map { _ in words[next(words.count)] }.joined(separator: " ")
        }
    }

    private func create(_ store: Store, _ body: JSONValue) throws {
        let input = try BodyValidator.validateCreate(body, in: Catalog.stories).get()
        _ = try store.write { session in try session.create(Catalog.stories, input) }
    }

    /// Every text leaf that holds `word`, from the records themselves: as "id.field", and as its index rowid.
    private func expected(_ store: Store, _ word: String) throws -> (hits: Set<String>, rowIDs: Set<Int64>) {
        let rows = try store.readDatabase { db in
            try Row.fetchAll(
                db, sql: "SELECT rowid, id, body FROM records WHERE collection = 'stories' AND body IS NOT NULL")
        }
        var found: (hits: Set<String>, rowIDs: Set<Int64>) = ([], [])
        for row in rows {
            let values = RecordDocument.leafValues(of: try JSONParser.parse(row[2] as String), in: Catalog.stories)
            for (index, leaf) in Catalog.stories.leaves.enumerated() where leaf.type.isTextual {
                guard let text = values[leaf.name].flatMap(SearchIndex.text(of:)) else { continue }
                if text.lowercased().split(whereSeparator: { !$0.isLetter }).contains(Substring(word)) {
                    found.hits.insert("\(row[1] as String).\(leaf.name)")
                    found.rowIDs.insert(SearchIndex.rowID(record: row[0], leafIndex: index))
                }
            }
        }
        return found
    }

    @Test func theIndexFollowsTheRecordsThroughEditsDeletesAndRecreates() throws {
        let t = try TemporaryStore()
        var g = Generator(state: 20_261_127)
        for i in 0..<30 {
            try create(t.store, ["id": .string("s\(i)"), "title": .string(g.phrase()), "design": .string(g.phrase())])
        }
        for _ in 0..<120 {
            let id = "s\(g.next(30))"
            let alive = try t.store.read { try $0.record(Catalog.stories, id: id) } != nil
            switch (alive, g.next(4)) {
            case (false, _):
                try create(t.store, ["id": .string(id), "title": .string(g.phrase()), "outcome": .string(g.phrase())])
            case (true, 0):
                try t.store.write { try $0.delete(Catalog.stories, id: id) }
            case (true, 1):
                _ = try t.store.write {
                    try $0.update(Catalog.stories, id: id, values: ["tags": .array([.string(Self.words[g.next(8)])])])
                }
            default:
                let field = ["title", "design", "outcome"][g.next(3)]
                let value: JSONValue = field != "title" && g.next(5) == 0 ? .null : .string(g.phrase())
                _ = try t.store.write { try $0.update(Catalog.stories, id: id, values: [field: value]) }
            }
        }
        for word in Self.words {
            let wanted = try expected(t.store, word)
            // The index itself: no row left behind by an edit or a delete, none missing.
            let indexed = try t.store.readSearchIndex { db in
                try Int64.fetchAll(
                    db, sql: "SELECT rowid FROM search_index WHERE search_index MATCH ?", arguments: [word])
            }
            #expect(Set(indexed) == wanted.rowIDs, "\(word)")
            let hits = try t.store.search(word, limit: 500, offset: 0).hits
            #expect(Set(hits.map { "\($0.id).\($0.field)" }) == wanted.hits, "\(word)")
            for hit in hits {
                #expect(hit.snippet.lowercased().contains(SearchHit.matchStart + word + SearchHit.matchEnd), "\(hit)")
            }
        }
        try t.store.searchIndexer.withConnection { db in
            try db.execute(sql: "INSERT INTO search_index (search_index) VALUES ('integrity-check')")
        }
    }

    /// Runs `body` on the search file of the closed store at `path`, as the next process to open it would find it.
    private func editSearchFile(of path: String, _ body: (Database) throws -> Void) throws {
        let file = try DatabaseQueue(path: SearchIndexer.path(for: path))
        try file.write(body)
        try file.close()
    }

    private func ids(_ store: Store, _ word: String) throws -> Set<String> {
        Set(try store.search(word, limit: 100, offset: 0).hits.map(\.id))
    }

    @Test func anIndexLeftBehindByACrashCatchesUpFromTheLogAtTheNextOpen() throws {
        let t = try TemporaryStore()
        for i in 0..<12 { try create(t.store, ["id": .string("s\(i)"), "title": .string("ledger \(i)")]) }
        try t.store.write { try $0.delete(Catalog.stories, id: "s0") }
        #expect(try ids(t.store, "ledger").count == 11)
        t.store.close()
        // What a kill leaves: the last writes logged, their index rows not written, the index's position behind.
        try editSearchFile(of: t.path) { db in
            let first = SearchIndex.rowID(record: 1, leafIndex: 0)
            try db.execute(sql: "DELETE FROM search_index WHERE rowid >= ?", arguments: [first])
            try db.execute(sql: "UPDATE search_meta SET value = '0' WHERE key = 'indexed_through'")
        }
        let reopened = try Store(path: t.path)
        defer { reopened.close() }
        #expect(try ids(reopened, "ledger") == Set((1..<12).map { "s\($0)" }))
        #expect(try ids(reopened, "yourself").contains("builtin-tell-me-about-yourself"))
    }

    @Test func aSearchFileMadeForAnotherDatabaseIsRebuilt() throws {
        let t = try TemporaryStore()
        try create(t.store, ["id": "a", "title": "Kafka rollout"])
        #expect(try ids(t.store, "kafka") == ["a"])
        t.store.close()
        // A restored or copied database gets a new node id; the search file beside it belongs to the one it replaced.
        try editSearchFile(of: t.path) { db in
            try db.execute(sql: "UPDATE search_meta SET value = 'another' WHERE key = 'node_id'")
            try db.execute(sql: "INSERT INTO search_index (rowid, content, weight) VALUES (999999, 'mentor', 1)")
        }
        let reopened = try Store(path: t.path)
        defer { reopened.close() }
        let stray = try reopened.readSearchIndex { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM search_index WHERE search_index MATCH 'mentor'")
        }
        #expect(stray == 0)
        #expect(try ids(reopened, "kafka") == ["a"])
    }

    /// The search file is derived data: one that is not a database any more, or whose pages are garbage, is made
    /// again from the log instead of stopping the store from opening.
    @Test(arguments: ["not a database", "garbage pages"])
    func aDamagedSearchFileIsRebuiltFromTheLog(damage: String) throws {
        let t = try TemporaryStore()
        for i in 0..<20 { try create(t.store, ["id": .string("s\(i)"), "title": .string("ledger \(i)")]) }
        #expect(try ids(t.store, "ledger").count == 20)
        t.store.close()
        let searchPath = SearchIndexer.path(for: t.path)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: searchPath)))
        if damage == "not a database" {
            bytes = Array(repeating: 0x41, count: bytes.count)
        } else {
            // Keep the 100-byte header, so SQLite opens the file and finds the schema's pages garbage.
            for i in 100..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: i &* 131) }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: searchPath))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: searchPath + suffix) }

        let reopened = try Store(path: t.path)
        defer { reopened.close() }
        #expect(try ids(reopened, "ledger") == Set((0..<20).map { "s\($0)" }))
        #expect(try ids(reopened, "yourself").contains("builtin-tell-me-about-yourself"))
    }

    @Test func aSearchFindsWhatAnotherStoreOnTheFileJustWrote() throws {
        let t = try TemporaryStore()
        let other = try Store(path: t.path)
        defer { other.close() }
        try create(other, ["id": "b", "title": "Pager duty"])
        _ = try other.write { try $0.update(Catalog.stories, id: "b", values: ["title": "Latency budget"]) }
        #expect(try ids(t.store, "latency") == ["b"])
        #expect(try ids(t.store, "pager").isEmpty)
    }

    @Test func aSearchOnAnIndexThatCannotGrowAnswersWithWhatItHolds() throws {
        let t = try TemporaryStore()
        try create(t.store, ["id": "a", "title": "Rollout plan"])
        #expect(try ids(t.store, "rollout") == ["a"])
        // As on a full disk: the search file cannot grow, so the index cannot take the next writes.
        try t.store.searchIndexer.withConnection { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
        let long = String(repeating: "rollout ledger ", count: 1000)
        for i in 0..<5 { try create(t.store, ["id": .string("b\(i)"), "title": "Rollout", "design": .string(long)]) }
        // The writes were acknowledged; a search still answers (instead of waiting for an index that cannot catch
        // up, then failing), with what the index holds.
        #expect(try ids(t.store, "rollout") == ["a"])
    }

    @Test func theWriterWaitsWhileTheIndexIsTooFarBehindAndGoesOnOnceItCatchesUp() throws {
        var options = StoreOptions()
        options.searchLagBound = 3
        let t = try TemporaryStore(options: options)
        let store = t.store
        #expect(try ids(store, "ledger").isEmpty)  // a search waits until the index covers the seeded rows
        // Hold the indexer's connection: its catch-ups wait behind this until `release`. Threads of their own, since a
        // blocked worker of Dispatch's global queue can delay the next block by a second.
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        defer { release.signal() }
        Thread {
            try? store.searchIndexer.withConnection { _ in
                holding.signal()
                release.wait()
            }
        }.start()
        holding.wait()
        // Three creates, three log rows: as far as the index may lag. A fourth makes it one too many.
        let written = DispatchSemaphore(value: 0)
        Thread {
            for i in 0..<4 { try? self.create(store, ["id": .string("a\(i)"), "title": "Ledger"]) }
            written.signal()
        }.start()
        #expect(written.wait(timeout: .now() + 10) == .success, "the writer was held with the index 3 rows behind")
        let fifth = DispatchSemaphore(value: 0)
        Thread {
            try? self.create(store, ["id": "a4", "title": "Ledger"])
            fifth.signal()
        }.start()
        #expect(fifth.wait(timeout: .now() + 0.5) == .timedOut, "the writer went on with the index 4 rows behind")
        release.signal()
        #expect(fifth.wait(timeout: .now() + 10) == .success, "the writer stayed held after the index caught up")
        #expect(try ids(store, "ledger") == ["a0", "a1", "a2", "a3", "a4"])
    }

    @Test func aPhraseIsMarkedAsOnePassageInItsSnippet() throws {
        let t = try TemporaryStore()
        try create(t.store, ["title": "Billing rewrite", "design": "We moved the payments ledger to a new store."])
        let hits = try t.store.search("\"payments ledger\"", limit: 5, offset: 0).hits
        #expect(hits.map(\.field) == ["design"])
        let (start, end) = (SearchHit.matchStart, SearchHit.matchEnd)
        #expect(hits.first?.snippet == "We moved the \(start)payments ledger\(end) to a new store.")
    }
}
