/// 64-bit FNV-1a: a small, stable, non-cryptographic hash (Swift's `Hasher` is seeded per process).
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for b in bytes {
            value ^= UInt64(b)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    /// The same for a byte array. Records hash their rendered JSON on every write: across modules the generic
    /// version above runs unspecialized, one witness-table call per byte, about forty times slower.
    public mutating func combine(_ bytes: [UInt8]) {
        for b in bytes {
            value ^= UInt64(b)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    public mutating func combine(_ text: String) {
        combine(text.utf8)
        combine(CollectionOfOne(0))
    }

    /// The hash as 16 lowercase hex digits.
    public var hex: String { Hex.fixed(value, width: 16) }
}

extension Catalog {
    /// Identifies the schema (collections, fields, types). Sync refuses to merge with a replica
    /// whose fingerprint differs.
    public static let fingerprint: String = {
        var h = FNV1a()
        for collection in all {
            h.combine(collection.name)
            for leaf in collection.leaves {
                h.combine(leaf.name)
                h.combine(String(describing: leaf.type))
                h.combine(leaf.readOnly ? "ro" : "rw")
                h.combine(collection.field(leaf.name)?.required == true ? "required" : "optional")
            }
        }
        return h.hex
    }()
}
