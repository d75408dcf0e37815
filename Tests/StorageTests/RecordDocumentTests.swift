import Model
import Testing

@testable import Storage
@testable import Sync

/// The single-pass renderer must write exactly what the definition says: the canonical JSON of the record's members,
/// with `version` the FNV-1a hash of the canonical body without `version`.
@Suite struct RecordDocumentTests {
    /// A value for each leaf that exercises escaping, nesting, numbers and nulls.
    private static func sample(_ leaf: FieldSpec, _ i: Int) -> JSONValue {
        switch i % 5 {
        case 0: return .null
        case 1: return .string("a \"quoted\" \\ line\nwith ünïcode ✓ and \u{1}")
        case 2: return .int(Int64(i * 37))
        case 3: return .bool(i % 2 == 0)
        default: return .array([.string("x"), .double(1.5)])
        }
    }

    @Test(arguments: Catalog.all.map(\.name))
    func bodyIsTheCanonicalJSONAndVersionItsHashWithoutVersion(collectionName: String) throws {
        let collection = try #require(Catalog.collection(collectionName))
        let node = NodeID(hex: String(repeating: "ab", count: 16))!
        for round in 0..<4 {
            var state = RecordState()
            let created = HLC(millis: 1_764_000_000_000 + UInt64(round), counter: 3)
            _ = state.apply(
                field: Change.existenceField, value: .bool(true), key: CellKey(cl: 1, hlc: created, node: node))
            for (i, leaf) in collection.leaves.enumerated() where (i + round) % 3 != 0 {
                let key = CellKey(cl: 1, hlc: HLC(millis: 1_764_000_000_500 + UInt64(i), counter: 0), node: node)
                _ = state.apply(field: leaf.name, value: Self.sample(leaf, i + round), key: key)
            }
            let document = RecordDocument(collection: collection, id: "rec-\(round)", state: state)

            let parsed = try JSONParser.parse(document.body)
            #expect(JSONWriter().string(parsed) == document.body)
            var object = try #require(parsed.objectValue)
            #expect(object["version"] == .string(document.version))
            #expect(object["id"] == .string("rec-\(round)"))
            #expect(object["created_at"] == .string(created.timestamp))
            object["version"] = nil
            var hash = FNV1a()
            hash.combine(JSONWriter().bytes(.object(object)))
            #expect(hash.hex == document.version)
            #expect(object.count == collection.fields.count + 3)
        }
    }
}
