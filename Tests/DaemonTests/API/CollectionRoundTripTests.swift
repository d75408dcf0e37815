import Foundation
import Model
import Testing

@Suite struct CollectionRoundTripTests {
    static let collections = Catalog.all.filter { !$0.isSingleton }.map(\.name)

    @Test(arguments: collections)
    func createReadListPatchDelete(name: String) throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        var samples = SampleRecords(client: client)
        let collection = Catalog.collection(name)!

        let body = try samples.body(for: collection, full: true)
        let created = try client.post("/v1/\(name)", body)
        #expect(created.status == 201, "\(created.text)")
        let record = try created.object()
        let id = try #require(record["id"]?.stringValue)
        #expect(created.header("Location") == "/v1/\(name)/\(id)")
        #expect(created.header("ETag") == "\"\(record["version"]!.stringValue!)\"")
        for (field, value) in body.objectValue! { #expect(record[field] == value, "\(name).\(field)") }
        #expect(Set(record.keys) == Set(collection.fields.map(\.name) + ["id", "created_at", "updated_at", "version"]))

        let read = try client.get("/v1/\(name)/\(id)")
        #expect(read.status == 200)
        #expect(try read.object() == record)
        #expect(read.header("ETag") == created.header("ETag"))

        let listed = try client.all(name)
        #expect(listed.contains { $0["id"] == .string(id) })

        let field = collection.fields.first { !$0.required && !$0.readOnly && $0.type.referencedCollection == nil }
            ?? collection.fields.first { !$0.readOnly && $0.type.referencedCollection == nil }!
        let newValue = try samples.value(for: field.type, name: field.name)
        let patched = try client.patch("/v1/\(name)/\(id)", [field.name: newValue])
        #expect(patched.status == 200, "\(patched.text)")
        let after = try patched.object()
        #expect(after[field.name] == newValue)
        #expect(after["version"] != record["version"])
        #expect(after["created_at"] == record["created_at"])
        #expect(try client.get("/v1/\(name)/\(id)").object() == after)

        let deleted = try client.delete("/v1/\(name)/\(id)")
        #expect(deleted.status == 204)
        try client.get("/v1/\(name)/\(id)").problem(404)
        #expect(!(try client.all(name)).contains { $0["id"] == .string(id) })
    }

    @Test func clientsMayChooseTheirOwnIDs() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let made = try client.create("values", ["id": "offline-1", "name": "Autonomy"])
        #expect(made["id"] == "offline-1")
        #expect(try client.get("/v1/values/offline-1").status == 200)
    }

    @Test func theProfileIsASingletonThatMergesPatches() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let empty = try client.get("/v1/profile").object()
        #expect(empty["name"] == .null)
        #expect(empty["compensation"]?.objectValue?.keys.sorted() == ["base_minimum", "base_target", "currency", "notes", "total_target"])
        let first = try client.patch("/v1/profile", ["name": "Ana", "compensation": ["currency": "EUR", "base_target": 95_000]])
        #expect(first.status == 200, "\(first.text)")
        let second = try client.patch("/v1/profile", ["compensation": ["base_minimum": 80_000]]).object()
        let compensation = try #require(second["compensation"]?.objectValue)
        #expect(compensation["currency"] == "EUR")
        #expect(compensation["base_target"] == 95_000)
        #expect(compensation["base_minimum"] == 80_000)
        #expect(second["name"] == "Ana")
        try client.post("/v1/profile", ["name": "x"]).problem(405)
        try client.delete("/v1/profile").problem(405)
    }

    @Test func listsFilterSortAndPage() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        for (i, stance) in ["target", "avoid", "target", "target", "avoid"].enumerated() {
            try client.create("industries", ["name": .string("Industry \(i)"), "stance": .string(stance), "rank": .int(Int64(5 - i))])
        }
        let targets = try client.all("industries", query: "stance=target&sort=rank")
        #expect(targets.map { $0["rank"]!.integerValue! } == [2, 3, 5])
        let first = try client.get("/v1/industries?limit=2&sort=-rank").object()
        #expect(first["items"]?.arrayValue?.count == 2)
        let cursor = try #require(first["next_cursor"]?.stringValue)
        let second = try client.get("/v1/industries?limit=2&sort=-rank&cursor=\(cursor)").object()
        #expect(second["items"]?.arrayValue?.first?.objectValue?["rank"] == 3)
    }
}
