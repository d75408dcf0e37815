import Foundation
import GRDB
import Model
import Testing

@testable import Storage
@testable import Sync

private func millis(_ text: String) -> HLC {
    HLC(millis: UInt64(CalendarDate.parseDateTime(text)!), counter: 0)
}

private func imported(
    _ collection: CollectionSpec, _ id: String, _ body: JSONValue, created: String = "2026-02-01T10:00:00.000Z",
    updated: String = "2026-02-02T10:00:00.000Z"
) throws -> ImportedRecord {
    let input = try BodyValidator.validateCreate(body, in: collection, allowReadOnly: true).get()
    return ImportedRecord(
        collection: collection, id: id, values: input.values, created: millis(created), updated: millis(updated))
}

private func document(_ store: Store, _ collection: CollectionSpec, _ id: String) throws -> [String: JSONValue]? {
    try store.record(collection, id: id).map { try JSONParser.parse($0.body).objectValue! }
}

private func logSize(_ store: Store) throws -> Int {
    try store.readDatabase { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM change_log")! }
}

@Suite struct ImportTests {
    @Test func anAbsentRecordIsCreatedWithTheExportedTimestamps() throws {
        let t = try TemporaryStore()
        let record = try imported(Catalog.values, "v1", ["name": "Autonomy", "rank": 1])
        #expect(try t.store.write { try $0.importRecord(record) } == .created)
        let body = try #require(try document(t.store, Catalog.values, "v1"))
        #expect(body["name"] == "Autonomy")
        #expect(body["created_at"] == "2026-02-01T10:00:00.000Z")
        #expect(body["updated_at"] == "2026-02-02T10:00:00.000Z")
    }

    @Test func importingTheSameRecordTwiceChangesNothing() throws {
        let t = try TemporaryStore()
        let record = try imported(Catalog.stories, "s1", ["title": "Payments", "tags": ["a", "b"]])
        _ = try t.store.write { try $0.importRecord(record) }
        let before = try logSize(t.store)
        let version = try t.store.record(Catalog.stories, id: "s1")!.version
        #expect(try t.store.write { try $0.importRecord(record) } == .unchanged)
        #expect(try logSize(t.store) == before)
        #expect(try t.store.record(Catalog.stories, id: "s1")!.version == version)
    }

    @Test func onlyDifferingFieldsAreWrittenToALiveRecord() throws {
        let t = try TemporaryStore()
        _ = try t.store.write {
            try $0.importRecord(try imported(Catalog.values, "v1", ["name": "Autonomy", "why": "x"]))
        }
        let newer = try imported(
            Catalog.values, "v1", ["name": "Autonomy", "why": "ownership"], updated: "2026-02-03T10:00:00.000Z")
        #expect(try t.store.write { try $0.importRecord(newer) } == .updated(applied: 1, kept: 0))
        let body = try #require(try document(t.store, Catalog.values, "v1"))
        #expect(body["why"] == "ownership")
        #expect(body["updated_at"] == "2026-02-03T10:00:00.000Z")
        #expect(body["created_at"] == "2026-02-01T10:00:00.000Z")
    }

    @Test func anOlderImportLosesToANewerLocalEditAndGoesToHistory() throws {
        let t = try TemporaryStore()
        _ = try t.store.write { try $0.importRecord(try imported(Catalog.values, "v1", ["name": "Autonomy"])) }
        _ = try t.store.write { try $0.update(Catalog.values, id: "v1", values: ["name": "Ownership"]) }
        let old = try imported(Catalog.values, "v1", ["name": "Independence"], updated: "2026-02-05T00:00:00.000Z")
        #expect(try t.store.write { try $0.importRecord(old) } == .updated(applied: 0, kept: 1))
        #expect(try document(t.store, Catalog.values, "v1")?["name"] == "Ownership")
        let history = try t.store.readDatabase { db in
            try String.fetchAll(db, sql: "SELECT value FROM history WHERE record_id = 'v1' AND reason = 'lost_merge'")
        }
        #expect(history == [#""Independence""#])
        // Again: the same lost cell is a duplicate in history, nothing new.
        let before = try logSize(t.store)
        _ = try t.store.write { try $0.importRecord(old) }
        #expect(try logSize(t.store) == before)
    }

    @Test func aLocallyDeletedRecordIsRecreated() throws {
        let t = try TemporaryStore()
        _ = try t.store.write { try $0.importRecord(try imported(Catalog.values, "v1", ["name": "Autonomy"])) }
        try t.store.write { try $0.delete(Catalog.values, id: "v1") }
        let again = try imported(Catalog.values, "v1", ["name": "Autonomy"])
        #expect(try t.store.write { try $0.importRecord(again) } == .created)
        #expect(try document(t.store, Catalog.values, "v1")?["name"] == "Autonomy")
        let cl = try t.store.readDatabase { db in try Int.fetchOne(db, sql: "SELECT cl FROM records WHERE id = 'v1'") }
        #expect(cl == 3)
    }

    @Test func danglingReferencesAndReadOnlyFieldsAreAccepted() throws {
        let t = try TemporaryStore()
        let answer = try imported(Catalog.answers, "a1", ["question_id": "gone", "story_ids": ["nope"], "body": "x"])
        #expect(try t.store.write { try $0.importRecord(answer) } == .created)
        let question = try imported(Catalog.questions, "q1", ["text": "Why?", "category": "custom", "builtin": true])
        _ = try t.store.write { try $0.importRecord(question) }
        #expect(try document(t.store, Catalog.questions, "q1")?["builtin"] == true)
    }
}
