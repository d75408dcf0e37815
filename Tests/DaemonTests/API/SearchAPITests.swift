import Foundation
import Model
import Testing

/// `GET /v1/search` against a real daemon.
@Suite struct SearchAPITests {
    private func search(_ client: APIClient, _ q: String, extra: String = "") throws -> TestResponse {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
        return try client.get("/v1/search?q=\(encoded)\(extra)")
    }

    private func hits(_ client: APIClient, _ q: String) throws -> [[String: JSONValue]] {
        let response = try search(client, q)
        #expect(response.status == 200, "\(q): \(response.text)")
        return try response.object()["items"]?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    /// A word no other record holds, for one leaf of one collection: letters only, so the tokenizer keeps it whole.
    private static func word(_ collection: Int, _ leaf: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return "zq" + String(letters[collection % 26]) + String(letters[leaf % 26]) + "word"
    }

    @Test func findsAWordInEveryTextFieldOfEveryCollection() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        var samples = SampleRecords(client: client)
        var expected: [(collection: String, id: String, field: String, word: String)] = []
        for (c, collection) in Catalog.all.enumerated() {
            for (l, leaf) in collection.leaves.enumerated() where leaf.type.isTextual {
                let word = Self.word(c, l)
                let value: JSONValue = leaf.type == .tags ? [.string(word), "other"] : .string("Some \(word) here")
                if collection.isSingleton {
                    let parts = leaf.name.split(separator: ".").map(String.init)
                    let patch: JSONValue = parts.count == 2 ? [parts[0]: [parts[1]: value]] : [parts[0]: value]
                    #expect(try client.patch("/v1/profile", patch).status == 200)
                    expected.append((collection.name, Catalog.profileID, leaf.name, word))
                } else {
                    var body = try samples.body(for: collection).objectValue!
                    body[leaf.name] = value
                    let made = try client.create(collection.name, .object(body))
                    expected.append((collection.name, made["id"]!.stringValue!, leaf.name, word))
                }
            }
        }
        #expect(expected.count == Catalog.all.map { $0.searchableLeaves.count }.reduce(0, +))
        for item in expected {
            let found = try hits(client, item.word)
            #expect(found.count == 1, "\(item.collection).\(item.field): \(found)")
            guard let hit = found.first else { continue }
            #expect(hit["collection"] == .string(item.collection))
            #expect(hit["id"] == .string(item.id))
            #expect(hit["field"] == .string(item.field))
            #expect(hit["snippet"]?.stringValue?.contains("<mark>\(item.word)</mark>") == true, "\(hit)")
        }
    }

    @Test func aTitleHitRanksAboveABodyHit() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let inBody = try client.create(
            "stories", ["title": "Quarterly planning", "outcome": "We adopted Terraform across teams"])
        let inTitle = try client.create("stories", ["title": "Terraform rollout"])
        let inAnswer = try client.create(
            "answers", ["question_id": "builtin-mistake", "body": "A terraform plan I misread"])
        let found = try hits(client, "terraform")
        #expect(found.first?["id"] == inTitle["id"])
        #expect(found.first?["field"] == "title")
        #expect(Set(found.dropFirst().compactMap { $0["id"] }) == [inBody["id"]!, inAnswer["id"]!])
    }

    @Test func hostileQueriesAreAnsweredNeverRefused() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try client.create("stories", ["title": "Kubernetes migration", "design": "rm rf node js c"])
        let queries = [
            "\"", "\"unbalanced", "*", "a*", "-", "- -", "-word", "AND", "OR", "NOT", "a AND", "NEAR", "NEAR(",
            "NEAR(a b", "NEAR(a b, -1)", "(", ")", "((a)", "()", "^", "+", "a + + b", ":", "content:", "weight:3",
            "nosuch:col", "{content}: a", "'", "\\", "%", "'; DROP TABLE records; --", "😀", "日本語", "e\u{301}",
            String(repeating: "(", count: 200), "c++", "node.js", "what's up?", "<script>", "kubernetes\"",
        ]
        for q in queries {
            let response = try search(client, q)
            #expect(response.status == 200, "\(q): \(response.status) \(response.text)")
        }
        #expect(try hits(client, "\"kubernetes").count == 1)
        #expect(try hits(client, "kubernetes)").count == 1)
        #expect(try hits(client, "-kubernetes").count == 1)
        #expect(try hits(client, "kube*").count == 1)
        #expect(try hits(client, "node.js").count == 1)
        #expect(try client.get("/v1/readiness").status == 200)
    }

    @Test func deletedRecordsAreForgotten() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let made = try client.create("companies", ["name": "Globex", "mission": "Serendipitous widgets"])
        #expect(try hits(client, "serendipitous").count == 1)
        #expect(try client.delete("/v1/companies/\(made["id"]!.stringValue!)").status == 204)
        #expect(try hits(client, "serendipitous").isEmpty)
        #expect(try hits(client, "globex").isEmpty)
    }

    @Test func pagesWithACursor() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        for i in 0..<5 { try client.create("values", ["name": .string("Craft \(i)")]) }
        var seen: [JSONValue] = []
        var cursor: String?
        var pages = 0
        repeat {
            let response = try search(client, "craft", extra: "&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
            let page = try response.object()
            seen += page["items"]!.arrayValue!.compactMap { $0.objectValue?["id"] }
            cursor = page["next_cursor"]?.stringValue
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(Set(seen).count == 5)
    }

    @Test func badParametersAre400() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try client.get("/v1/search").problem(400)
        try client.get("/v1/search?q=").problem(400)
        try client.get("/v1/search?q=a&limit=0").problem(400)
        try client.get("/v1/search?q=a&limit=101").problem(400)
        try client.get("/v1/search?q=a&cursor=nope").problem(400)
        try client.get("/v1/search?q=\(String(repeating: "a", count: 1001))").problem(400)
        try client.request("POST", "/v1/search?q=a").problem(405)
    }
}
