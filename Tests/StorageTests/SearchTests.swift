import Foundation
import Model
import Testing

@testable import Storage

/// Inputs that are, or look like, FTS5 syntax, and some that are just unkind.
let hostileQueries: [String] = [
    "\"", "\"\"", "\"unbalanced", "unbalanced\"", "*", "**", "a*", "*a", "-", "--", "- -", "-word", "word-",
    "AND", "OR", "NOT", "AND OR NOT", "a AND", "OR b", "NOT a", "NEAR", "NEAR(", "NEAR()", "NEAR(a b", "NEAR(a b, -1)",
    "NEAR(a b, 99999999999999999999)", "(", ")", "((a)", "a)", "()", "^", "^a", "a^", "+", "a + + b", ":", "a:",
    ":a", "content:", "weight:3", "nosuchcolumn:word", "{content}: a", "{", "}", "'", "''", "\\", "%", "_", ";",
    "'; DROP TABLE records; --", "\u{0}", "a\u{0}b", "\u{301}", "e\u{301}", "😀", "日本語", "ﬁ", "\t\n",
    String(repeating: "a ", count: 400), String(repeating: "(", count: 200), "\"a\" \"b", "a OR", "OR OR OR",
    "NEAR(\"a\" \"b\", 2)", "a NOT", "rm -rf /", "c++", "node.js", "what's up?", "100%", "$HOME", "<script>",
]

private func create(_ store: Store, _ collection: CollectionSpec, _ body: JSONValue) throws -> StoredRecord {
    let input = try BodyValidator.validateCreate(body, in: collection).get()
    return try store.write { session in try session.create(collection, input) }
}

@Suite struct FullTextQueryTests {
    @Test func wordsAreQuotedAndAnded() {
        #expect(FullTextQuery.words("kubernetes migration") == ##""kubernetes" "migration""##)
        #expect(FullTextQuery.words("say \"hi\"") == "\"say\" \"\"\"hi\"\"\"")
        #expect(FullTextQuery.words("NEAR(a b)") == ##""NEAR(a" "b)""##)
        #expect(FullTextQuery.words("AND OR NOT") == ##""AND" "OR" "NOT""##)
    }

    @Test func aTrailingStarStaysAPrefixQuery() {
        #expect(FullTextQuery.words("deplo*") == ##""deplo"*"##)
        #expect(FullTextQuery.words("deplo**") == ##""deplo"*"##)
    }

    @Test func wordsWithoutLettersOrDigitsAreDropped() {
        #expect(FullTextQuery.words("- * ( ) \" ^ :") == nil)
        #expect(FullTextQuery.words("   ") == nil)
        #expect(FullTextQuery.words("- rust") == ##""rust""##)
    }

    @Test func onlyInputWithOperatorsIsTriedAsSyntax() {
        #expect(!FullTextQuery.looksLikeSyntax("tell me about yourself"))
        #expect(!FullTextQuery.looksLikeSyntax("and or not"))
        #expect(FullTextQuery.looksLikeSyntax("a OR b"))
        #expect(FullTextQuery.looksLikeSyntax("\"a phrase\""))
        #expect(FullTextQuery.looksLikeSyntax("depl*"))
        #expect(FullTextQuery.looksLikeSyntax("NEAR(a b)"))
    }
}

@Suite struct SearchTests {
    @Test func hostileQueriesNeverFail() throws {
        let t = try TemporaryStore()
        _ = try create(t.store, Catalog.stories, ["title": "Kubernetes migration", "design": "a b c rm rf node js"])
        for query in hostileQueries {
            let page = try t.store.search(query, limit: 20, offset: 0)
            #expect(page.hits.count <= 20, "\(query)")
        }
    }

    @Test func quotedPhrasesAndOperatorsWorkAsSyntax() throws {
        let t = try TemporaryStore()
        let a = try create(t.store, Catalog.stories, ["title": "Billing rewrite", "design": "payments ledger"])
        let b = try create(t.store, Catalog.stories, ["title": "Ledger payments", "design": "billing"])
        func ids(_ q: String) throws -> Set<String> {
            Set(try t.store.search(q, limit: 50, offset: 0).hits.map(\.id))
        }
        #expect(try ids("\"payments ledger\"") == [a.id])
        #expect(try ids("rewrite OR ledger") == [a.id, b.id])
        #expect(try ids("ledg*") == [a.id, b.id])
        #expect(try ids("billing NOT rewrite") == [b.id])
    }

    @Test func aTitleHitRanksAboveABodyHit() throws {
        let t = try TemporaryStore()
        let body = try create(
            t.store, Catalog.stories,
            ["title": "Quarterly planning", "design": "We used observability tooling to find the slow path."])
        let title = try create(t.store, Catalog.stories, ["title": "Observability rollout", "design": "Tracing."])
        let hits = try t.store.search("observability", limit: 10, offset: 0).hits
        #expect(hits.map(\.id) == [title.id, body.id])
        #expect(hits.map(\.field) == ["title", "design"])
        #expect(hits[0].snippet.contains(SearchHit.matchStart + "Observability" + SearchHit.matchEnd))
    }

    @Test func deletedAndEditedRecordsAreForgotten() throws {
        let t = try TemporaryStore()
        let record = try create(t.store, Catalog.values, ["name": "Autonomy", "why": "ownership"])
        #expect(try t.store.search("ownership", limit: 5, offset: 0).hits.count == 1)
        _ = try t.store.write { try $0.update(Catalog.values, id: record.id, values: ["why": "craft"]) }
        #expect(try t.store.search("ownership", limit: 5, offset: 0).hits.isEmpty)
        #expect(try t.store.search("craft", limit: 5, offset: 0).hits.count == 1)
        try t.store.write { try $0.delete(Catalog.values, id: record.id) }
        #expect(try t.store.search("craft", limit: 5, offset: 0).hits.isEmpty)
        #expect(try t.store.search("autonomy", limit: 5, offset: 0).hits.isEmpty)
    }

    @Test func pagesFollowOneAnother() throws {
        let t = try TemporaryStore()
        for i in 0..<7 { _ = try create(t.store, Catalog.values, ["name": .string("Zephyr \(i)")]) }
        let first = try t.store.search("zephyr", limit: 3, offset: 0)
        let second = try t.store.search("zephyr", limit: 3, offset: 3)
        let third = try t.store.search("zephyr", limit: 3, offset: 6)
        #expect(first.hasMore && second.hasMore && !third.hasMore)
        #expect(Set((first.hits + second.hits + third.hits).map(\.id)).count == 7)
    }
}
