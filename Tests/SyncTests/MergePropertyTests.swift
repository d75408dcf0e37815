import Model
import TestSupport
import Testing

@testable import Sync

/// Random cells for one record over a small space of fields, lives, clocks and nodes, so that
/// ties, duplicates and cross-life cells are common. A key identifies one write, so a field's value
/// is a function of its key: the same key never carries two values, as in a real replica.
private func randomCells(_ count: Int, _ rng: inout SplitMix64) -> [Change] {
    let nodes = ["1", "2", "3"].map { NodeID(hex: String(repeating: $0, count: 32))! }
    let fields = ["name", "why", "rank", Change.existenceField]
    return (0..<count).map { _ in
        let field = fields.randomElement(using: &rng)!
        var cl = Int64.random(in: 1...4, using: &rng)
        if field != Change.existenceField, cl % 2 == 0 { cl -= 1 }
        let key = CellKey(
            cl: cl, hlc: HLC(millis: UInt64.random(in: 1...4, using: &rng), counter: 0),
            node: nodes.randomElement(using: &rng)!)
        let value: JSONValue = field == Change.existenceField ? .bool(cl % 2 == 1) : .string("\(field)@\(key)")
        return Change(collection: "values", id: "r", field: field, value: value, key: key)
    }
}

private func merged(_ cells: some Sequence<Change>, into state: RecordState = RecordState()) -> RecordState {
    var state = state
    for cell in cells { _ = state.apply(field: cell.field, value: cell.value, key: cell.key) }
    return state
}

@Suite struct MergePropertyTests {
    static let seeds = Array(UInt64(1)...300)

    @Test(arguments: seeds) func mergingIsCommutative(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let cells = randomCells(12, &rng)
        #expect(merged(cells) == merged(cells.shuffled(using: &rng)), "seed \(seed)")
    }

    @Test(arguments: seeds) func mergingIsIdempotent(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let cells = randomCells(12, &rng)
        let once = merged(cells)
        #expect(merged(cells, into: once) == once, "seed \(seed)")
        #expect(merged(cells + cells.shuffled(using: &rng)) == once, "seed \(seed)")
    }

    @Test(arguments: seeds) func mergingIsAssociative(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let a = randomCells(5, &rng)
        let b = randomCells(5, &rng)
        let c = randomCells(5, &rng)
        // (a ∪ b) ∪ c, applied as a replica that got a and b first then c, versus one that got b and
        // c merged elsewhere and relayed (keeping their keys) after a.
        let left = merged(c, into: merged(a + b))
        let bc = merged(b + c)
        let relayed = bc.cells.map { Change(collection: "values", id: "r", field: $0.key, value: $0.value.value, key: $0.value.key) }
        // Relaying only the winners of b ∪ c must reach the same state as relaying every cell.
        let right = merged(relayed, into: merged(a))
        #expect(left == right, "seed \(seed)")
    }

    @Test func theGreaterKeyWinsAndAnEqualKeyIsADuplicate() {
        let n1 = NodeID(hex: String(repeating: "1", count: 32))!
        let n2 = NodeID(hex: String(repeating: "2", count: 32))!
        var state = RecordState()
        let early = CellKey(cl: 1, hlc: HLC(millis: 10, counter: 0), node: n1)
        let tie = CellKey(cl: 1, hlc: HLC(millis: 10, counter: 0), node: n2)
        #expect(state.apply(field: "name", value: "a", key: early) == .applied(displaced: []))
        #expect(state.apply(field: "name", value: "a", key: early) == .duplicate)
        guard case .applied(let displaced) = state.apply(field: "name", value: "b", key: tie) else {
            Issue.record("the greater node did not win the tie")
            return
        }
        #expect(displaced.map(\.reason) == [.overwritten])
        guard case .lost(let lost) = state.apply(field: "name", value: "c", key: early) else {
            Issue.record("a smaller key won")
            return
        }
        #expect(lost.reason == .lostMerge)
        #expect(state.visibleValues == ["name": "b"])
    }

    @Test func anUpdateNeverResurrectsAndOnlyACreateDoes() {
        let n = NodeID(hex: String(repeating: "a", count: 32))!
        var state = RecordState()
        _ = state.apply(field: Change.existenceField, value: true, key: CellKey(cl: 1, hlc: HLC(millis: 1, counter: 0), node: n))
        _ = state.apply(field: "name", value: "a", key: CellKey(cl: 1, hlc: HLC(millis: 1, counter: 0), node: n))
        _ = state.apply(field: Change.existenceField, value: false, key: CellKey(cl: 2, hlc: HLC(millis: 2, counter: 0), node: n))
        #expect(!state.isAlive)
        // A concurrent edit of the first life, with a later clock, stays history.
        guard case .lost(let edit) = state.apply(field: "name", value: "late edit", key: CellKey(cl: 1, hlc: HLC(millis: 9, counter: 0), node: n)) else {
            Issue.record("an update of a deleted record was applied")
            return
        }
        #expect(edit.reason == .earlierLife)
        #expect(!state.isAlive)
        _ = state.apply(field: Change.existenceField, value: true, key: CellKey(cl: 3, hlc: HLC(millis: 3, counter: 0), node: n))
        #expect(state.isAlive)
        #expect(state.visibleValues.isEmpty)
        #expect(state.createdHLC == HLC(millis: 3, counter: 0))
    }
}
