import Foundation
import GRDB
import Model
import Synchronization
import Testing

@testable import Storage
@testable import Sync

/// The rows the mutation path leaves behind, read straight from SQLite.
private struct LogRow: Equatable {
    let collection: String
    let id: String
    let cl: Int64
    let node: String
    let cells: JSONValue
}

private func log(_ store: Store, after seq: Int64 = 0) throws -> [LogRow] {
    try store.readDatabase { db in
        try Row.fetchAll(
            db, sql: "SELECT collection, record_id, cl, node, cells FROM change_log WHERE seq > ? ORDER BY seq",
            arguments: [seq]
        ).map {
            LogRow(collection: $0[0], id: $0[1], cl: $0[2], node: $0[3], cells: try JSONParser.parse($0[4] as String))
        }
    }
}

private func maxSeq(_ store: Store) throws -> Int64 {
    try store.readDatabase { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM change_log")! }
}

private func create(_ store: Store, _ collection: CollectionSpec, _ body: JSONValue) throws -> StoredRecord {
    let input = try BodyValidator.validateCreate(body, in: collection).get()
    return try store.write { session in try session.create(collection, input) }
}

@Suite struct MutationPathTests {
    @Test func aServerMadeIDStartsWithTheWritersWallClock() throws {
        var options = StoreOptions()
        options.wallClock = { 1_795_759_200_123 }  // 2026-11-27T06:00:00.123Z, 0x01a21b96d77b
        let t = try TemporaryStore(options: options)
        let first = try create(t.store, Catalog.values, ["name": "Honesty"])
        let second = try create(t.store, Catalog.values, ["name": "Craft"])
        #expect(first.id.prefix(13) == "01a21b96-d77b", "\(first.id)")
        #expect(second.id.prefix(13) == "01a21b96-d77b" && second.id != first.id)
    }

    @Test func createWritesTheRecordAndOneLogRowWithEveryField() throws {
        let t = try TemporaryStore()
        let before = try maxSeq(t.store)
        let record = try create(t.store, Catalog.values, ["id": "honesty", "name": "Honesty", "rank": 1])
        #expect(record.id == "honesty")
        let rows = try log(t.store, after: before)
        #expect(rows.count == 1)
        #expect(rows[0].collection == "values" && rows[0].id == "honesty" && rows[0].cl == 1)
        #expect(rows[0].node == t.store.nodeID.hex)
        #expect(rows[0].cells == ["_exists": true, "name": "Honesty", "why": nil, "rank": 1])
        let body = try JSONParser.parse(record.body).objectValue!
        #expect(body["name"] == "Honesty")
        #expect(body["version"] == .string(record.version))
        #expect(try t.store.record(Catalog.values, id: "honesty") == record)
    }

    @Test func updateLogsOnlyTheChangedFieldsAndKeepsTheOldValueInHistory() throws {
        let t = try TemporaryStore()
        let first = try create(t.store, Catalog.values, ["id": "v", "name": "Honesty", "why": "Trust", "rank": 1])
        let before = try maxSeq(t.store)
        let updated = try t.store.write { s in
            try s.update(Catalog.values, id: "v", values: ["name": "Candour", "rank": 1])
        }
        #expect(updated.version != first.version)
        let rows = try log(t.store, after: before)
        #expect(rows.map(\.cells) == [["name": "Candour"]])
        let history = try t.store.readDatabase { db in
            try Row.fetchAll(db, sql: "SELECT field, value, reason FROM history WHERE record_id = 'v'")
                .map { "\($0[0] as String)=\($0[1] as String):\($0[2] as String)" }
        }
        #expect(history == [#"name="Honesty":overwritten"#])
    }

    @Test func aPatchThatChangesNothingWritesNothing() throws {
        let t = try TemporaryStore()
        let first = try create(t.store, Catalog.values, ["id": "v", "name": "Honesty"])
        let before = try maxSeq(t.store)
        let same = try t.store.write { s in try s.update(Catalog.values, id: "v", values: ["name": "Honesty"]) }
        #expect(same.version == first.version)
        #expect(try maxSeq(t.store) == before)
    }

    @Test func aFailedWriteLeavesNoCellsAndNoRecord() throws {
        let t = try TemporaryStore()
        let before = try maxSeq(t.store)
        let input = try BodyValidator.validateCreate(
            ["company_id": "nowhere", "value_id": "nothing", "verdict": "shares"], in: Catalog.valueAssessments
        ).get()
        #expect(throws: StorageError.self) {
            try t.store.write { s in try s.create(Catalog.valueAssessments, input) }
        }
        do {
            _ = try t.store.write { s in try s.create(Catalog.valueAssessments, input) }
        } catch StorageError.invalid(let failure) {
            #expect(Set(failure.errors.map(\.field)) == ["company_id", "value_id"])
        }
        #expect(try maxSeq(t.store) == before)
        let count = try t.store.readDatabase { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE collection = 'value-assessments'")!
        }
        #expect(count == 0)
    }

    @Test func oneFailingWriteInABatchDoesNotUndoTheOthers() throws {
        let t = try TemporaryStore()
        let good = try BodyValidator.validateCreate(["name": "Kept"], in: Catalog.companies).get()
        let bad = try BodyValidator.validateCreate(["name": "Refused", "company_id": "missing"], in: Catalog.contacts)
            .get()
        let group = DispatchGroup()
        let results = Mutex<[String: Bool]>([:])
        for (name, collection, input) in [("good", Catalog.companies, good), ("bad", Catalog.contacts, bad)] {
            group.enter()
            t.store.submit({ s in try s.create(collection, input) }) { outcome in
                results.withLock { $0[name] = (try? outcome.get()) != nil }
                group.leave()
            }
        }
        group.wait()
        #expect(results.withLock { $0 } == ["good": true, "bad": false])
        let companies = try t.store.list(Catalog.companies, ListQuery())
        #expect(companies.items.count == 1)
    }

    @Test func deleteMakesTheCausalLengthEvenAndKeepsTheValues() throws {
        let t = try TemporaryStore()
        _ = try create(t.store, Catalog.values, ["id": "v", "name": "Honesty"])
        let before = try maxSeq(t.store)
        try t.store.write { s in try s.delete(Catalog.values, id: "v") }
        #expect(try t.store.record(Catalog.values, id: "v") == nil)
        let rows = try log(t.store, after: before)
        #expect(rows.count == 1 && rows[0].cl == 2 && rows[0].cells == ["_exists": false])
        let kept = try t.store.readDatabase { db in
            try String.fetchAll(db, sql: "SELECT value FROM history WHERE record_id = 'v' AND field = 'name'")
        }
        #expect(kept == [#""Honesty""#])
        #expect(throws: StorageError.notFound(collection: "values", id: "v")) {
            try t.store.write { s in try s.update(Catalog.values, id: "v", values: ["name": "Back?"]) }
        }
    }

    @Test func recreatingADeletedIdStartsTheNextLife() throws {
        let t = try TemporaryStore()
        _ = try create(t.store, Catalog.values, ["id": "v", "name": "Honesty"])
        try t.store.write { s in try s.delete(Catalog.values, id: "v") }
        let again = try create(t.store, Catalog.values, ["id": "v", "name": "Courage"])
        #expect(try JSONParser.parse(again.body).objectValue?["name"] == "Courage")
        let cl = try t.store.readDatabase { db in
            try Int64.fetchOne(db, sql: "SELECT cl FROM records WHERE id = 'v'")!
        }
        #expect(cl == 3)
    }

    @Test func creatingAnIdThatIsAliveIsAConflict() throws {
        let t = try TemporaryStore()
        _ = try create(t.store, Catalog.values, ["id": "v", "name": "Honesty"])
        #expect(throws: StorageError.alreadyExists(collection: "values", id: "v")) {
            _ = try create(t.store, Catalog.values, ["id": "v", "name": "Again"])
        }
    }

    @Test func ifMatchGuardsWrites() throws {
        let t = try TemporaryStore()
        let record = try create(t.store, Catalog.values, ["id": "v", "name": "Honesty"])
        #expect(throws: StorageError.versionMismatch(current: record.version)) {
            _ = try t.store.write { s in
                try s.update(Catalog.values, id: "v", values: ["name": "X"], precondition: .version(in: ["stale"]))
            }
        }
        let updated = try t.store.write { s in
            try s.update(Catalog.values, id: "v", values: ["name": "X"], precondition: .version(in: [record.version]))
        }
        #expect(updated.version != record.version)
    }

    @Test func searchRowsFollowTheRecord() throws {
        let t = try TemporaryStore()
        _ = try create(
            t.store, Catalog.stories, ["id": "s", "title": "Migrating the billing engine", "tags": ["rust"]])
        func hits(_ word: String) throws -> Int {
            try t.store.readSearchIndex { db in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM search_index WHERE search_index MATCH ?", arguments: [word])!
            }
        }
        #expect(try hits("billing") == 1)
        #expect(try hits("rust") == 1)
        _ = try t.store.write { s in try s.update(Catalog.stories, id: "s", values: ["title": "Payments rewrite"]) }
        #expect(try hits("billing") == 0)
        #expect(try hits("payments") == 1)
        try t.store.write { s in try s.delete(Catalog.stories, id: "s") }
        #expect(try hits("payments") == 0)
        #expect(try hits("rust") == 0)
    }
}
