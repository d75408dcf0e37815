import Foundation
import Model
import TestSupport
import Testing

@testable import Storage

/// Property tests of list queries and merge patches: `ListQuery.parse` on random query strings, cursors that
/// round-trip and garbage that is refused, paging with random filters and sorts that visits every matching record
/// exactly once in order, and merge patches whose result is RFC 7396's merge. `JOBPREP_FUZZ_SCALE` multiplies the
/// number of cases.
@Suite struct QueryPropertyTests {
    static let scale = max(1, Int(ProcessInfo.processInfo.environment["JOBPREP_FUZZ_SCALE"] ?? "") ?? 1)

    private static func junk(_ rng: inout SplitMix64) -> String {
        let pieces = [
            "", "1", "-1", "0", "500", "501", "1e3", "0x10", "nan", "inf", "-", "--rank", "rank", "-rank", "name",
            "true", "maybe", "'", "\"", "%", "\u{0}", "é", "日本", "a b", "9999999999999999999999", "1.5", " 7",
            "eyJzIjoiY3JlYXRlZF9hdCIsInYiOjEsImkiOiJ4In0", "created_at", "updated_at", "id", ";DROP TABLE records",
        ]
        return (0..<Int.random(in: 1...2, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    @Test func parsingRandomQueriesNeverCrashesAndNamesEveryBadItem() {
        var rng = SplitMix64(seed: 0x0E77_0001)
        let count = 4000 * Self.scale
        let names = [
            "limit", "cursor", "sort", "name", "rank", "why", "builtin", "category", "bogus", "created_at", "", "id",
        ]
        var accepted = 0
        for _ in 0..<count {
            let collection = [Catalog.values, Catalog.questions, Catalog.opportunities].randomElement(using: &rng)!
            let items = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                (name: names.randomElement(using: &rng)!, value: Self.junk(&rng))
            }
            switch ListQuery.parse(items, collection: collection) {
            case .success(let query):
                accepted += 1
                #expect(ListQuery.limits.contains(query.limit))
                let sortable = ["id", "created_at", "updated_at"] + collection.sortableFields.map(\.name)
                #expect(sortable.contains(query.sortField))
                #expect(Set(query.filters.keys).isSubset(of: Set(collection.filterableFields.map(\.name))))
                #expect(Set(items.map(\.name)).count == items.count)
            case .failure(let failure):
                #expect(!failure.errors.isEmpty)
                #expect(Set(failure.errors.map(\.field)).isSubset(of: Set(items.map(\.name))), "\(failure.errors)")
                // Without the items it names (and their duplicates), the query is valid.
                let named = Set(failure.errors.map(\.field))
                var seen = Set<String>()
                let rest = items.filter { !named.contains($0.name) && seen.insert($0.name).inserted }
                if case .failure(let again) = ListQuery.parse(rest, collection: collection) {
                    Issue.record("\(items) without \(named) is still refused: \(again.errors)")
                }
            }
        }
        #expect(accepted > 0 && accepted < count)
        print("list query parsing: \(count) random queries, \(accepted) accepted")
    }

    @Test func cursorsRoundTripAndGarbageIsRefused() {
        var rng = SplitMix64(seed: 0x0E77_0002)
        let count = 3000 * Self.scale
        for _ in 0..<count {
            let value: JSONValue
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: value = .int(Int64(bitPattern: rng.next()))
            case 1: value = .double(Double(Int32.random(in: .min ... .max, using: &rng)) / 3)
            case 2: value = .string(Self.junk(&rng))
            case 3: value = .bool(Bool.random(using: &rng))
            default: value = .null
            }
            let cursor = ListCursor(
                sort: ["rank", "-name", "created_at"].randomElement(using: &rng)!, value: value, id: Self.junk(&rng))
            #expect(ListCursor(encoded: cursor.encoded) == cursor)
            // Damaged: refused, or read as some other cursor that itself round-trips; never a crash.
            var damaged = Array(cursor.encoded.utf8)
            if !damaged.isEmpty {
                let at = Int.random(in: 0..<damaged.count, using: &rng)
                damaged[at] = Array("AZaz09-_=+/!%\u{0}".utf8).randomElement(using: &rng)!
            }
            if let other = ListCursor(encoded: String(decoding: damaged, as: UTF8.self)) {
                #expect(ListCursor(encoded: other.encoded) == other)
            }
            _ = ListCursor(encoded: Self.junk(&rng))  // never a crash
        }
        print("cursors: \(count) round trips and \(count) damaged ones")
    }

    @Test func pagingWithRandomFiltersAndSortsVisitsEveryMatchOnceInOrder() throws {
        let t = try TemporaryStore()
        var rng = SplitMix64(seed: 0x0E77_0003)
        // A collection with ties, nulls and deletions.
        var model: [String: (name: String, rank: Int64?)] = [:]
        for n in 0..<160 {
            let id = String(format: "r%03d", Int.random(in: 0...999, using: &rng)) + "-\(n)"
            let name = ["Autonomy", "Craft", "Impact", "Pay"].randomElement(using: &rng)!
            let rank: Int64? = Bool.random(using: &rng) ? Int64.random(in: 0...4, using: &rng) : nil
            let body: JSONValue = ["id": .string(id), "name": .string(name), "rank": rank.map(JSONValue.int) ?? .null]
            let input = try BodyValidator.validateCreate(body, in: Catalog.values).get()
            _ = try t.store.write { s in try s.create(Catalog.values, input) }
            model[id] = (name, rank)
        }
        for id in model.keys.sorted().prefix(20) {
            _ = try t.store.write { s in try s.delete(Catalog.values, id: id) }
            model[id] = nil
        }
        for id in model.keys.sorted().suffix(30) {
            let rank = Int64.random(in: 0...4, using: &rng)
            _ = try t.store.write { s in try s.update(Catalog.values, id: id, values: ["rank": .int(rank)]) }
            model[id]!.rank = rank
        }

        let count = 250 * Self.scale
        for _ in 0..<count {
            var items: [(name: String, value: String)] = []
            let sort = ["id", "rank", "name", "created_at", "updated_at"].randomElement(using: &rng)!
            let descending = Bool.random(using: &rng)
            items.append(("sort", (descending ? "-" : "") + sort))
            var rankFilter: Int64?
            var nameFilter: String?
            if Int.random(in: 0..<3, using: &rng) == 0 {
                rankFilter = Int64.random(in: 0...5, using: &rng)
                items.append(("rank", String(rankFilter!)))
            }
            if Int.random(in: 0..<3, using: &rng) == 0 {
                nameFilter = ["Autonomy", "Craft", "Nobody"].randomElement(using: &rng)!
                items.append(("name", nameFilter!))
            }
            items.append(("limit", String(Int.random(in: 1...40, using: &rng))))
            var seen: [[String: JSONValue]] = []
            var cursor: String?
            repeat {
                let page = try t.store.list(
                    Catalog.values,
                    ListQuery.parse(items + (cursor.map { [("cursor", $0)] } ?? []), collection: Catalog.values).get())
                seen += try page.items.map { try JSONParser.parse($0).objectValue! }
                cursor = page.nextCursor
            } while cursor != nil && seen.count <= model.count
            let ids = seen.map { $0["id"]!.stringValue! }
            let expected = Set(
                model.filter { _, record in
                    (rankFilter == nil || record.rank == rankFilter) && (nameFilter == nil || record.name == nameFilter)
                }.keys)
            #expect(ids.count == Set(ids).count, "\(items): a record came twice")
            #expect(Set(ids) == expected, "\(items): \(Set(ids).symmetricDifference(expected))")
            // In order: the sort value (nulls first), then the id, reversed for descending.
            func key(_ item: [String: JSONValue]) -> (JSONValue, String) {
                let value = sort == "id" ? JSONValue.null : (item[sort] ?? .null)
                return (value, item["id"]!.stringValue!)
            }
            for (a, b) in zip(seen, seen.dropFirst()) {
                let (ka, kb) = (key(a), key(b))
                let ordered =
                    sort == "created_at" || sort == "updated_at"
                    ? (descending ? Self.precedes(kb.0, ka.0, orEqual: true) : Self.precedes(ka.0, kb.0, orEqual: true))
                    : (descending ? Self.precedes(kb, ka) : Self.precedes(ka, kb))
                #expect(ordered, "\(items): \(ka) then \(kb)")
            }
        }
        print("paging: \(count) random queries paged to the end over \(model.count) live records")
    }

    /// JSON values in the list's order: null first, then numbers, then strings.
    private static func precedes(_ a: JSONValue, _ b: JSONValue, orEqual: Bool) -> Bool {
        func rank(_ v: JSONValue) -> Int {
            switch v {
            case .null: return 0
            case .int, .double: return 1
            default: return 2
            }
        }
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        switch (a, b) {
        case (.int(let x), .int(let y)): return orEqual ? x <= y : x < y
        case (.string(let x), .string(let y)):
            return orEqual
                ? !Array(y.utf8).lexicographicallyPrecedes(Array(x.utf8))
                : Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        default: return orEqual
        }
    }

    private static func precedes(_ a: (JSONValue, String), _ b: (JSONValue, String)) -> Bool {
        if precedes(a.0, b.0, orEqual: false) { return true }
        if !precedes(a.0, b.0, orEqual: true) { return false }
        return Array(a.1.utf8).lexicographicallyPrecedes(Array(b.1.utf8))
    }

    // MARK: Merge patches

    private static func value(_ type: FieldType, _ rng: inout SplitMix64) -> JSONValue {
        if Int.random(in: 0..<4, using: &rng) == 0 { return .null }
        switch type {
        case .line: return .string(["Ana", "Staff engineer", "é日本", "x"].randomElement(using: &rng)!)
        case .text: return .string(["", "a longer\nanswer", "why not"].randomElement(using: &rng)!)
        case .integer(let min, let max): return .int(Int64.random(in: min...Swift.min(max, min + 1000), using: &rng))
        case .currency: return .string(["EUR", "USD"].randomElement(using: &rng)!)
        case .object(let children):
            var members: [String: JSONValue] = [:]
            for child in children where Bool.random(using: &rng) { members[child.name] = value(child.type, &rng) }
            return .object(members)
        default: return .null
        }
    }

    /// RFC 7396 on the record's fields, where a nested object is never removed: null clears each of its fields.
    private static func merge(_ target: [String: JSONValue], _ patch: [String: JSONValue], _ fields: [FieldSpec])
        -> [String: JSONValue]
    {
        var result = target
        for (key, change) in patch {
            guard let field = fields.first(where: { $0.name == key }) else { continue }
            if case .object(let children) = field.type {
                let current = target[key]?.objectValue ?? [:]
                switch change {
                case .null:
                    result[key] = .object(Dictionary(uniqueKeysWithValues: children.map { ($0.name, JSONValue.null) }))
                case .object(let nested): result[key] = .object(merge(current, nested, children))
                default: break
                }
            } else {
                result[key] = change
            }
        }
        return result
    }

    @Test func aMergePatchGivesRFC7396sMerge() throws {
        let t = try TemporaryStore()
        var rng = SplitMix64(seed: 0x0E77_0004)
        let count = 400 * Self.scale
        let serverFields = BodyValidator.serverFields
        for _ in 0..<count {
            let collection = Catalog.profile
            var patch: [String: JSONValue] = [:]
            for field in collection.fields where Int.random(in: 0..<3, using: &rng) == 0 {
                patch[field.name] = Self.value(field.type, &rng)
            }
            let before = try JSONParser.parse(try t.store.record(collection, id: Catalog.profileID)!.body).objectValue!
            let leaves = try BodyValidator.validatePatch(.object(patch), in: collection).get()
            let updated = try t.store.write { s in try s.update(collection, id: Catalog.profileID, values: leaves) }
            let after = try JSONParser.parse(updated.body).objectValue!
            let expected = Self.merge(before.filter { !serverFields.contains($0.key) }, patch, collection.fields)
            #expect(after.filter { !serverFields.contains($0.key) } == expected, "patch \(patch)")
            #expect(try t.store.record(collection, id: Catalog.profileID)?.body == updated.body)
        }
        print("merge patches: \(count) random patches of the profile, each RFC 7396's merge")
    }
}
