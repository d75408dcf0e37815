import Model

/// A record as the merge rule sees it: its causal length and, per field, the winning cell of its
/// current life.
///
/// The state is a function of the set of cells applied, whatever their order or repetition: its
/// `cl` is the greatest `cl` seen, and each field holds the greatest key among that life's cells.
/// That is what makes sync commutative, associative and idempotent; the property tests hold it to it.
public struct RecordState: Sendable, Equatable {
    public struct Cell: Sendable, Hashable {
        public var value: JSONValue
        public var key: CellKey

        public init(value: JSONValue, key: CellKey) {
            self.value = value
            self.key = key
        }
    }

    /// Why a cell stopped being (or never was) the visible value of its field.
    public enum Displacement: String, Sendable, Equatable {
        /// A newer write to the same field won.
        case overwritten
        /// It arrived after a newer cell for its field and lost the merge.
        case lostMerge = "lost_merge"
        /// Its record was deleted or re-created, by this write or an earlier one.
        case earlierLife = "earlier_life"
    }

    /// A cell that is not part of the state (any more): it belongs in the record's history.
    public struct Displaced: Sendable, Equatable {
        public let field: String
        public let cell: Cell
        public let reason: Displacement
    }

    public enum Outcome: Sendable, Equatable {
        /// The cell won its field; `displaced` lists the cells it pushed out.
        case applied(displaced: [Displaced])
        /// The cell lost to the current state and is kept only as history.
        case lost(Displaced)
        /// The exact cell was already applied.
        case duplicate
    }

    /// The greatest causal length seen; 0 for a record never seen.
    public private(set) var cl: Int64
    /// The winning cell of each field in the current life, including ``Change/existenceField``.
    public private(set) var cells: [String: Cell]

    public init(cl: Int64 = 0, cells: [String: Cell] = [:]) {
        self.cl = cl
        self.cells = cells
    }

    public var isAlive: Bool { cl % 2 == 1 }

    /// Merges one cell in.
    public mutating func apply(field: String, value: JSONValue, key: CellKey) -> Outcome {
        let incoming = Cell(value: value, key: key)
        if key.cl < cl {
            return .lost(Displaced(field: field, cell: incoming, reason: .earlierLife))
        }
        var displaced: [Displaced] = []
        if key.cl > cl {
            displaced = cells.keys.sorted().map { Displaced(field: $0, cell: cells[$0]!, reason: .earlierLife) }
            cells.removeAll(keepingCapacity: true)
            cl = key.cl
        }
        if let current = cells[field] {
            if key == current.key { return .duplicate }
            if key < current.key { return .lost(Displaced(field: field, cell: incoming, reason: .lostMerge)) }
            displaced.append(Displaced(field: field, cell: current, reason: .overwritten))
        }
        cells[field] = incoming
        return .applied(displaced: displaced)
    }

    /// The values a reader sees: every field's winning cell, except the existence cell.
    public var visibleValues: [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(cells.count)
        for (field, cell) in cells where field != Change.existenceField { out[field] = cell.value }
        return out
    }

    /// When the current life began: the existence cell's clock (else the earliest cell seen).
    public var createdHLC: HLC? {
        cells[Change.existenceField]?.key.hlc ?? cells.values.map(\.key.hlc).min()
    }

    /// The latest clock among the current life's cells.
    public var updatedHLC: HLC? { cells.values.map(\.key.hlc).max() }
}
