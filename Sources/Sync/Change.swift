import Model

/// The order of cells competing for one field: the greater key wins; an equal key is the same
/// cell seen twice.
public struct CellKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The record's causal length when the cell was written: odd while alive, even once deleted.
    public let cl: Int64
    public let hlc: HLC
    public let node: NodeID

    public init(cl: Int64, hlc: HLC, node: NodeID) {
        self.cl = cl
        self.hlc = hlc
        self.node = node
    }

    public static func < (a: CellKey, b: CellKey) -> Bool {
        if a.cl != b.cl { return a.cl < b.cl }
        if a.hlc != b.hlc { return a.hlc < b.hlc }
        return a.node < b.node
    }

    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(56)
        appendDescription(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``description`` as UTF-8 (each write renders one per field into the record's clocks).
    public func appendDescription(into out: inout [UInt8]) {
        out.append(contentsOf: String(cl).utf8)
        out.append(UInt8(ascii: ":"))
        Hex.appendFixed(hlc.rawValue, width: 16, into: &out)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: node.hex.utf8)
    }

    /// Parses ``description``.
    public init?(_ text: Substring) {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let cl = Int64(parts[0]), cl > 0, let hlc = HLC(hex: String(parts[1])),
            let node = NodeID(hex: String(parts[2]))
        else { return nil }
        self.init(cl: cl, hlc: hlc, node: node)
    }
}

/// One cell of the change log: a field of a record set to a value at a clock reading.
public struct Change: Sendable, Hashable {
    /// The field of the cell that records a record's existence: `true` with an odd `cl` (create),
    /// `false` with an even one (delete).
    public static let existenceField = "_exists"

    public let collection: String
    public let id: String
    public let field: String
    public let value: JSONValue
    public let key: CellKey

    public init(collection: String, id: String, field: String, value: JSONValue, key: CellKey) {
        self.collection = collection
        self.id = id
        self.field = field
        self.value = value
        self.key = key
    }

    public var cl: Int64 { key.cl }
    public var hlc: HLC { key.hlc }
    public var node: NodeID { key.node }
    public var isExistence: Bool { field == Self.existenceField }
}
