import Foundation
import Model
import Testing

@testable import Storage

/// A database that cannot grow, seen through the API: writes get 507 problem+json, nothing is half-applied,
/// reads keep working, and writes resume once there is room. (scripts/full-disk.sh does the same on a real,
/// full file system.)
@Suite struct FullDiskAPITests {
    /// Rows of everything a write touches, and the log size the sync status reports.
    private func footprint(_ client: APIClient, _ store: Store) throws -> [Int] {
        let log = try client.get("/v1/sync/status").object()["log"]?.objectValue
        let logged = try #require(log?["last_sequence"]?.integerValue)
        let rows = try store.readSearchIndex { db in
            try ["records", "change_log", "history", "search_index", "idempotency_keys"].map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1
            }
        }
        return rows + [Int(logged)]
    }

    @Test func writesGet507NothingIsHalfAppliedReadsGoOnAndWritesResume() throws {
        let daemon = try TestDaemon()
        let store = daemon.application.store
        let client = try daemon.client()
        try client.create("values", ["id": "kept", "name": "Kept", "why": "written before the disk filled"])
        try store.setMaxPageCount(try store.pageCount() + 6)

        // Fill it: creates until one is refused.
        var created = 0
        var refusal: TestResponse?
        let text = String(repeating: "a sentence to take up room ", count: 40)
        while created < 5000 {
            let before = try footprint(client, store)
            let response = try client.post(
                "/v1/values", ["id": .string("v\(created)"), "name": "filler", "why": .string(text)],
                headers: [("Idempotency-Key", "fill-\(created)")])
            if response.status == 201 {
                created += 1
                continue
            }
            refusal = response
            #expect(try footprint(client, store) == before, "the refused write left rows behind")
            break
        }
        let problem = try #require(refusal).problem(507)
        #expect(problem["type"] == "urn:jobprep:problem:storage-full")
        #expect(created > 0)

        // Every kind of write is refused whole while full, and changes nothing.
        let before = try footprint(client, store)
        let story = String(repeating: "what happened and why it mattered ", count: 300)
        try client.post("/v1/stories", ["title": "Big", "use_case": .string(story), "design": .string(story)]).problem(
            507)
        try client.patch("/v1/values/kept", ["why": .string(story)]).problem(507)
        let batch = try client.post(
            "/v1/batch",
            [
                "operations": [
                    ["method": "POST", "path": "/v1/values", "body": ["id": "b1", "name": "one"]],
                    ["method": "POST", "path": "/v1/stories", "body": ["title": "Big", "outcome": .string(story)]],
                ]
            ])
        try batch.problem(507)
        #expect(try footprint(client, store) == before)
        #expect(try client.get("/v1/values/b1").status == 404)

        // Reads keep working.
        #expect(try client.get("/healthz").status == 200)
        #expect(try client.get("/v1/values/kept").object()["why"] == "written before the disk filled")
        #expect(try client.all("values").count == created + 1)
        #expect(try client.get("/v1/search?q=kept").status == 200)
        #expect(try client.get("/v1/export").status == 200)
        #expect(try client.get("/v1/readiness").status == 200)

        // Room again: the refused create goes through on retry with the same key (a 507 is not replayed).
        try store.setMaxPageCount(1_000_000)
        let retried = try client.post(
            "/v1/values", ["id": .string("v\(created)"), "name": "filler", "why": .string(text)],
            headers: [("Idempotency-Key", "fill-\(created)")])
        #expect(retried.status == 201, "\(retried.text)")
        #expect(retried.header("Idempotent-Replayed") == nil)
        #expect(try client.patch("/v1/values/kept", ["why": "room again"]).status == 200)
        #expect(try store.readDatabase { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }
}
