import Foundation
import Model
import Testing

@testable import Daemon

/// Fills a daemon with a record of every collection (every field set), some edits and a delete.
func fillDataset(_ client: APIClient) throws {
    var samples = SampleRecords(client: client)
    for collection in Catalog.all where !collection.isSingleton {
        _ = try samples.create(collection, full: true)
    }
    try client.create(
        "stories", ["id": "tricky", "title": "# Kubernetes | `rm -rf` *migration*", "design": "- one\n1. two"])
    let value = try client.create("values", ["name": "Craft", "why": "Ünïcode ✓ \"quotes\" \\ and\nnewlines"])
    #expect(try client.patch("/v1/values/\(value["id"]!.stringValue!)", ["rank": 2]).status == 200)
    let gone = try client.create("values", ["name": "Gone"])
    #expect(try client.delete("/v1/values/\(gone["id"]!.stringValue!)").status == 204)
    #expect(
        try client.patch(
            "/v1/profile",
            [
                "name": "Ana", "compensation": ["currency": "EUR", "base_target": 95_000],
                "leaving_reason": ["theme": "Growth"],
            ]
        ).status == 200)
    #expect(try client.patch("/v1/questions/builtin-mistake", ["guidance": "My own guidance"]).status == 200)
}

@Suite struct ExportImportTests {
    @Test func exportImportExportIsByteIdentical() throws {
        let source = try TestDaemon()
        let client = try source.client()
        try fillDataset(client)
        let first = try client.get("/v1/export")
        #expect(first.status == 200)
        #expect(first.header("Content-Type") == "application/json")
        let target = try TestDaemon()
        let other = try target.client()
        let imported = try other.request("POST", "/v1/import", body: first.body, contentType: "application/json")
        #expect(imported.status == 200, "\(imported.text)")
        let summary = try imported.object()
        #expect(summary["records"] != 0 && summary["created"] != 0)
        let second = try other.get("/v1/export")
        #expect(second.body == first.body, "exports differ:\n\(first.text)\n---\n\(second.text)")
        // The same export again changes nothing.
        let again = try other.request("POST", "/v1/import", body: first.body, contentType: "application/json").object()
        #expect(again["created"] == 0 && again["updated"] == 0)
        #expect(again["unchanged"] == again["records"])
        #expect(try other.get("/v1/export").body == first.body)
    }

    /// An export of a real dataset is soon larger than the 1 MiB other requests may carry.
    @Test func anExportLargerThanTheBodyLimitImportsOverHTTP() throws {
        let source = try TestDaemon()
        let client = try source.client()
        let text = String(repeating: "A long rehearsed story about a migration, told again. ", count: 40)
        for batch in 0..<3 {
            let operations: [JSONValue] = (0..<200).map { i in
                [
                    "method": "POST", "path": "/v1/stories",
                    "body": ["title": .string("Story \(batch)-\(i)"), "design": .string(text)],
                ]
            }
            #expect(try client.post("/v1/batch", ["operations": .array(operations)]).status == 200)
        }
        let export = try client.get("/v1/export")
        #expect(export.body.count > 1 << 20)
        let target = try TestDaemon()
        let other = try target.client()
        // Any other endpoint refuses a body this size (sent chunked, so that the 413 comes after it)...
        let raw = try HTTPTestClient(port: target.port)
        let refused = try raw.request(
            "POST", "/v1/values",
            headers: [("Authorization", "Bearer \(target.token)"), ("Content-Type", "application/json")],
            body: export.body, chunked: true)
        #expect(refused.status == 413)
        // ...the import takes it.
        let imported = try other.request("POST", "/v1/import", body: export.body, contentType: "application/json")
        #expect(imported.status == 200, "\(imported.text)")
        #expect(try other.get("/v1/export").body == export.body)
    }

    @Test func aRecordSyncMadeVisibleWithoutItsRequiredFieldsStillRoundTrips() throws {
        let source = try TestDaemon()
        let client = try source.client()
        let node = String(repeating: "cd", count: 16)
        // A front end's cells arrive before its create's other cells: the record is alive, name null.
        let pushed = try client.post(
            "/v1/sync/changes",
            [
                "node_id": .string(node), "protocol": 1, "schema": .string(Catalog.fingerprint),
                "changes": [
                    [
                        "collection": "values", "id": "partial", "field": "why", "value": "arrived first", "cl": 1,
                        "hlc": "018bcfe568000000", "node": .string(node),
                    ]
                ],
            ])
        #expect(pushed.status == 200, "\(pushed.text)")
        #expect(try client.get("/v1/values/partial").object()["name"] == .null)
        let export = try client.get("/v1/export")
        let target = try TestDaemon()
        let imported = try target.client().request(
            "POST", "/v1/import", body: export.body, contentType: "application/json")
        #expect(imported.status == 200, "\(imported.text)")
        #expect(try target.client().get("/v1/export").body == export.body)
        // The import wrote no null for the required name, so the record syncs on like any other.
        let third = try TestDaemon()
        try third.sync(with: target)
        #expect(try third.client().get("/v1/values/partial").object()["why"] == "arrived first")
    }

    @Test func theExportIsCanonical() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try fillDataset(client)
        let export = try client.get("/v1/export")
        let json = try export.json()
        #expect(JSONWriter().bytes(json) == export.body)
        let object = try #require(json.objectValue)
        #expect(object["format"] == "jobprep-export/1")
        let collections = try #require(object["collections"]?.objectValue)
        #expect(Set(collections.keys) == Set(Catalog.all.map(\.name)))
        for (name, records) in collections {
            let ids = records.arrayValue!.map { $0.objectValue!["id"]!.stringValue! }
            #expect(ids == ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "\(name)")
            for record in records.arrayValue! {
                let listed = try client.get(
                    "/v1/\(name == "profile" ? "profile" : "\(name)/\(record.objectValue!["id"]!.stringValue!)")")
                #expect(try listed.json() == record)
            }
        }
        #expect(!export.text.contains(daemon.application.store.nodeID.hex))
        #expect(collections["values"]!.arrayValue!.allSatisfy { $0.objectValue!["name"] != "Gone" })
    }

    @Test func anInvalidExportIsRefusedWholeWithEveryProblem() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let before = try client.get("/v1/export").body
        let bad: JSONValue = [
            "format": "jobprep-export/9",
            "collections": [
                "values": [
                    [
                        "id": "ok", "name": "Fine", "created_at": "2026-01-01T00:00:00.000Z",
                        "updated_at": "2026-01-01T00:00:00.000Z",
                    ],
                    ["id": "bad id", "name": 3, "created_at": "yesterday", "updated_at": "2026-01-01T00:00:00.000Z"],
                    [
                        "id": "ok", "name": "Twice", "created_at": "2026-01-01T00:00:00.000Z",
                        "updated_at": "2026-01-01T00:00:00.000Z",
                    ],
                ],
                "stories": [
                    [
                        "id": "s", "created_at": "2026-02-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z",
                        "color": "red",
                    ],
                    [
                        "id": "f", "title": "Future", "created_at": "2999-01-01T00:00:00.000Z",
                        "updated_at": "2999-01-01T00:00:00.000Z",
                    ],
                ],
                "widgets": [],
                "profile": [
                    ["id": "me", "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z"]
                ],
            ],
        ]
        let response = try client.request("POST", "/v1/import", json: bad)
        try response.problem(422)
        let fields = Set(try response.errorFields())
        #expect(
            fields == [
                "format", "collections.widgets", "collections.values[1].id", "collections.values[1].name",
                "collections.values[1].created_at", "collections.values[2].id", "collections.stories[0].updated_at",
                "collections.stories[0].title", "collections.stories[0].color", "collections.stories[1].created_at",
                "collections.stories[1].updated_at", "collections.profile[0].id",
            ])
        #expect(try client.get("/v1/export").body == before)
        try client.request("POST", "/v1/import", json: ["format": "jobprep-export/1"]).problem(422)
        try client.request("POST", "/v1/import", json: [1, 2]).problem(422)
        try client.request("POST", "/v1/import", body: Array("{".utf8), contentType: "application/json").problem(400)
        try client.request("POST", "/v1/import", body: Array("{}".utf8), contentType: "text/plain").problem(415)
        try client.request("GET", "/v1/import").problem(405)
    }

    @Test func importMergesWithNewerLocalEdits() throws {
        let source = try TestDaemon()
        let a = try source.client()
        try a.create("values", ["id": "v", "name": "Autonomy", "why": "Old reason"])
        let export = try a.get("/v1/export").body
        let target = try TestDaemon()
        let b = try target.client()
        #expect(try b.request("POST", "/v1/import", body: export, contentType: "application/json").status == 200)
        #expect(try b.patch("/v1/values/v", ["why": "Newer reason"]).status == 200)
        let again = try b.request("POST", "/v1/import", body: export, contentType: "application/json").object()
        #expect(again["kept_local"] == 1)
        #expect(try b.get("/v1/values/v").object()["why"] == "Newer reason")
        // Nothing is deleted by an import: records the export lacks stay.
        try b.create("values", ["id": "local", "name": "Local only"])
        #expect(try b.request("POST", "/v1/import", body: export, contentType: "application/json").status == 200)
        #expect(try b.get("/v1/values/local").status == 200)
    }

    @Test func importNeedsAWriteToken() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let secret = try daemon.application.store.createToken(name: "reader", scope: .read)
        let reader = try daemon.client(token: secret)
        let export = try reader.get("/v1/export")
        #expect(export.status == 200)
        try reader.request("POST", "/v1/import", body: export.body, contentType: "application/json").problem(403)
        #expect(
            try client.request("POST", "/v1/import", body: export.body, contentType: "application/json").status == 200)
    }
}

/// `Accept: text/markdown` on `/v1/export`: the printable prep sheet.
@Suite struct PrepSheetTests {
    @Test func thePrepSheetHasEverySectionInTheGuidesOrder() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try fillDataset(client)
        let response = try client.get("/v1/export", headers: [("Accept", "text/markdown")])
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/markdown; charset=utf-8")
        #expect(response.header("Vary") == "Accept")
        let lines = response.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "# Job search prep sheet: Ana")
        let sections = lines.filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3)) }
        #expect(sections == PrepSheet.sections)
        #expect(
            PrepSheet.sections == [
                "What matters to you", "Industries", "Ideal role", "Compensation", "Pitch", "Networking",
                "Questions and answers", "Stories", "Strengths and weaknesses", "Opportunities",
            ])
        for question in Catalog.builtinQuestions { #expect(lines.contains("### " + Markdown.inline(question.text))) }
        #expect(lines.contains("_Guidance:_ My own guidance"))
    }

    @Test func userTextCannotBreakThePage() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try fillDataset(client)
        let text = try client.get("/v1/export", headers: [("Accept", "text/markdown")]).text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The story's heading is one heading whose title is escaped text.
        #expect(lines.contains(##"### \# Kubernetes \| \`rm -rf\` \*migration\*"##))
        // Its design's list markers are text, not a list.
        #expect(lines.contains(#"**Design.** \- one\"#))
        #expect(lines.contains(#"1\. two"#))
        // No user text opened a code fence, a table row, an HTML block or a heading of its own.
        #expect(!lines.contains { $0.hasPrefix("```") })
        #expect(!lines.contains { $0.hasPrefix("<") })
        let headings = lines.filter { $0.hasPrefix("#") }
        #expect(headings.allSatisfy { $0.hasPrefix("# ") || $0.hasPrefix("## ") || $0.hasPrefix("### ") })
        #expect(text.contains(##"Ünïcode ✓ "quotes" \\ and newlines"##))
        // Markdown's text-level markup in user text is always escaped.
        for line in lines where line.contains("Kubernetes") {
            #expect(!line.contains(" `rm") && !line.contains("| `"))
        }
    }

    @Test func jsonStaysTheDefault() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        #expect(
            try client.get("/v1/export", headers: [("Accept", "application/json, text/markdown")]).header(
                "Content-Type") == "application/json")
        #expect(try client.get("/v1/export", headers: [("Accept", "*/*")]).header("Content-Type") == "application/json")
        try client.get("/v1/export?format=x").problem(400)
    }
}
