import Model

/// A replica's identity: 128 random bits, on the wire as 32 lowercase hex digits.
public struct NodeID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let hex: String

    /// The node of data shipped with the product (the built-in questions, the empty profile), the
    /// same on every replica.
    public static let origin = NodeID(validated: String(repeating: "0", count: 32))

    public init?(hex: String) {
        guard hex.utf8.count == 32, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        self.hex = hex
    }

    private init(validated hex: String) {
        self.hex = hex
    }

    public static func random() -> NodeID {
        var g = SystemRandomNumberGenerator()
        return NodeID(validated: Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }))
    }

    public var description: String { hex }

    /// Hex strings of equal length compare like the numbers they spell.
    public static func < (a: NodeID, b: NodeID) -> Bool { a.hex < b.hex }
}
