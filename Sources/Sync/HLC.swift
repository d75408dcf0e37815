import Model

/// A hybrid logical clock reading: 48 bits of physical milliseconds and a 16-bit counter.
///
/// On the wire it is 16 lowercase hex digits (12 for the milliseconds, 4 for the counter), so
/// string order is clock order.
public struct HLC: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public static let zero = HLC(rawValue: 0)
    public static let maxMillis: UInt64 = (1 << 48) - 1

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public init(millis: UInt64, counter: UInt16) {
        precondition(millis <= Self.maxMillis, "HLC milliseconds exceed 48 bits")
        rawValue = millis << 16 | UInt64(counter)
    }

    /// Parses the 16-hex-digit wire form.
    public init?(hex: String) {
        guard let v = Hex.parseFixed(hex, width: 16) else { return nil }
        rawValue = v
    }

    public var millis: UInt64 { rawValue >> 16 }
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue) }
    public var hex: String { Hex.fixed(rawValue, width: 16) }
    public var description: String { hex }

    /// The reading as an RFC 3339 instant (milliseconds, UTC).
    public var timestamp: String { CalendarDate.formatDateTime(millis: Int64(millis)) }

    public static func < (a: HLC, b: HLC) -> Bool { a.rawValue < b.rawValue }
}
