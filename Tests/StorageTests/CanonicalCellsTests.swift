import Model
import TestSupport
import Testing

@testable import Storage
@testable import Sync

/// The clocks and the log's cells are written in the collection's canonical order (``CanonicalCells``) instead of
/// being sorted: the text must be what sorting gives, for any cells a record may hold, in every collection.
@Suite struct CanonicalCellsTests {
    private static let nodes = [
        NodeID(hex: "724a63fe4140e576c99c9fdbf2bd24fe")!, NodeID(hex: "0c1d2e3f405162738495a6b7c8d9eafb")!,
    ]

    /// Some of the collection's cells (and, now and then, one it does not name), each with one of a few keys.
    private func randomCells(_ collection: CollectionSpec, _ rng: inout SplitMix64) -> [String: RecordState.Cell] {
        var names = collection.leaves.map(\.name) + [Change.existenceField]
        if Int.random(in: 0..<5, using: &rng) == 0 { names.append("not_a_field") }
        let keys = (0..<Int.random(in: 1...3, using: &rng)).map { _ in
            CellKey(
                cl: Int64.random(in: 1...3, using: &rng), hlc: HLC(rawValue: UInt64.random(in: 1...9, using: &rng)),
                node: Self.nodes.randomElement(using: &rng)!)
        }
        var cells: [String: RecordState.Cell] = [:]
        for name in names where Int.random(in: 0..<4, using: &rng) > 0 {
            let value: JSONValue = Bool.random(using: &rng) ? .string("text \"\(name)\"\n") : .int(Int64(name.count))
            cells[name] = RecordState.Cell(value: value, key: keys.randomElement(using: &rng)!)
        }
        return cells
    }

    @Test func theClocksAreWhatSortingGives() {
        var rng = SplitMix64(seed: 10)
        for collection in Catalog.all {
            for _ in 0..<50 {
                let cells = randomCells(collection, &rng)
                let sorted = StoredClocks.encode(cells.lazy.map { (field: $0.key, key: $0.value.key) })
                #expect(StoredClocks.encode(cells, of: collection) == sorted, "\(collection.name): \(cells.keys)")
            }
        }
    }

    @Test func theLogsCellsAreWhatTheWriterGives() {
        var rng = SplitMix64(seed: 11)
        for collection in Catalog.all {
            for _ in 0..<50 {
                let cells = randomCells(collection, &rng).mapValues(\.value)
                #expect(
                    ChangeLog.cellsText(cells, of: collection) == JSONWriter().string(.object(cells)),
                    "\(collection.name): \(cells.keys)")
            }
        }
    }

    @Test func namesAreInUTF8OrderAndWrittenAsJSON() throws {
        for collection in Catalog.all {
            let names = CanonicalCells.of(collection).names
            #expect(
                names.map(\.name)
                    == (collection.leaves.map(\.name) + ["_exists"]).sorted {
                        Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
                    })
            for (name, literal) in names { #expect(try JSONParser.parse(literal) == .string(name)) }
        }
    }
}
