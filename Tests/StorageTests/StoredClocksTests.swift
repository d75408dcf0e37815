import Foundation
import GRDB
import Model
import Testing

@testable import Storage
@testable import Sync

@Suite struct StoredClocksTests {
    private func clocksText(_ store: Store, _ collection: String, _ id: String) throws -> String {
        try store.readDatabase { db in
            try String.fetchOne(
                db, sql: "SELECT clocks FROM records WHERE collection = ? AND id = ?", arguments: [collection, id])!
        }
    }

    private func createStory(_ store: Store, id: String) throws {
        let input = try BodyValidator.validateCreate(
            ["id": .string(id), "title": "Moving billing", "outcome": "No lost invoice"], in: Catalog.stories
        ).get()
        _ = try store.write { session in try session.create(Catalog.stories, input) }
    }

    @Test func aCreateNamesItsOneKeyOnceAndAPatchAddsASecond() throws {
        let t = try TemporaryStore()
        try createStory(t.store, id: "s")
        let created = try StoredClocks.decode(try clocksText(t.store, "stories", "s"), record: "s")
        let fields = Set(Catalog.stories.leaves.map(\.name)).union([Change.existenceField])
        #expect(Set(created.keys) == fields)
        #expect(Set(created.values).count == 1)
        #expect(try JSONParser.parse(try clocksText(t.store, "stories", "s")).objectValue?.count == 1)

        _ = try t.store.write { session in
            try session.update(Catalog.stories, id: "s", values: ["title": "Moving billing, again"])
        }
        let patched = try StoredClocks.decode(try clocksText(t.store, "stories", "s"), record: "s")
        #expect(Set(patched.keys) == fields)
        #expect(Set(patched.values).count == 2)
        #expect(patched["title"]! > created["title"]!)
        #expect(patched.filter { $0.key != "title" } == created.filter { $0.key != "title" })
    }

    @Test func equalCellsGiveEqualTextAndTheTextGivesThemBack() throws {
        let node = NodeID(hex: "724a63fe4140e576c99c9fdbf2bd24fe")!
        let first = CellKey(cl: 1, hlc: HLC(rawValue: 0x01a2_1bb3_db68_0005), node: node)
        let second = CellKey(cl: 1, hlc: HLC(rawValue: 0x01a2_1bb3_db68_0009), node: node)
        let keys: [(field: String, key: CellKey)] = [
            ("title", second), ("_exists", first), ("outcome", first), ("tags", second),
        ]
        let text = StoredClocks.encode(keys)
        #expect(text == StoredClocks.encode(keys.reversed()))
        #expect(
            text == #"{"1:01a21bb3db680005:724a63fe4140e576c99c9fdbf2bd24fe":["_exists","outcome"],"#
                + #""1:01a21bb3db680009:724a63fe4140e576c99c9fdbf2bd24fe":["tags","title"]}"#)
        let decoded = try StoredClocks.decode(text, record: "r")
        #expect(decoded == Dictionary(uniqueKeysWithValues: keys.map { ($0.field, $0.key) }))
    }

    @Test func corruptClocksAreADatabaseError() {
        for text in ["[]", #"{"1:x:y":["a"]}"#, #"{"1:01a21bb3db680005:724a63fe4140e576c99c9fdbf2bd24fe":"a"}"#, "{"] {
            #expect(throws: StorageError.self, "\(text)") { try StoredClocks.decode(text, record: "r") }
        }
    }

    /// Databases written before migration v3 hold one key per field: reopening converts them, and the records
    /// read back as before.
    @Test func migrationV3GroupsPerFieldClocks() throws {
        let t = try TemporaryStore()
        try createStory(t.store, id: "s")
        _ = try t.store.write { session in
            try session.update(Catalog.stories, id: "s", values: ["title": "Moving billing, again"])
        }
        // More rows than the migration rewrites in one slice.
        let many = try (0..<1_100).map {
            try BodyValidator.validateCreate(["name": .string("v\($0)")], in: Catalog.values).get()
        }
        _ = try t.store.write { session in for input in many { _ = try session.create(Catalog.values, input) } }
        let grouped = try clocksText(t.store, "stories", "s")
        let keys = try StoredClocks.decode(grouped, record: "s")
        let before = try t.store.readDatabase { db in try ReadSession(db: db).debugRecordRows() }
        #expect(Set(keys.values).count == 2)
        // Every row (the built-in ones too) back to the old form, and v3 not yet run.
        try t.store.pool.write { db in
            for row in try Row.fetchAll(db, sql: "SELECT rowid, clocks FROM records") {
                let keys = try StoredClocks.decode(row[1], record: "")
                let perField = JSONWriter().string(.object(keys.mapValues { .string($0.description) }))
                try db.execute(sql: "UPDATE records SET clocks = ? WHERE rowid = ?", arguments: [perField, row[0]])
            }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3: clocks grouped by key'")
        }
        t.store.close()

        let reopened = try Store(path: t.path)
        defer { reopened.close() }
        #expect(try clocksText(reopened, "stories", "s") == grouped)
        #expect(try reopened.readDatabase { db in try ReadSession(db: db).debugRecordRows() } == before)
        _ = try reopened.write { session in
            try session.update(Catalog.stories, id: "s", values: ["outcome": "Cut over in a week"])
        }
        #expect(Set(try StoredClocks.decode(try clocksText(reopened, "stories", "s"), record: "s").values).count == 3)
    }
}
