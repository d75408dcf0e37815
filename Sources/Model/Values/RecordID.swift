import Glibc

/// Record ids: client-chosen (offline front ends make their own) or a server-made UUID.
public enum RecordID {
    public static let maxLength = 128

    /// An id is 1–128 characters from the URL-safe set `A–Z a–z 0–9 - _ . ~`, so it can sit in a
    /// path segment as is. `.` and `..` alone are refused.
    public static func isValid(_ id: String) -> Bool {
        let bytes = id.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength, id != ".", id != ".." else { return false }
        return bytes.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x7E
        }
    }

    /// A new UUID (version 7, RFC 9562), lowercase: 48 bits of `unixMillis` (the writer's wall clock,
    /// `HybridClock.wallMillis()` unless a test sets it), then 74 random bits.
    ///
    /// Ids made later sort later, so a new record's index entries go at the end of the `records` index instead
    /// of a random leaf page of it: fewer pages written per commit than with random (version 4) ids.
    public static func make(unixMillis: UInt64) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: unixMillis >> (40 - 8 * i)) }
        bytes.withUnsafeMutableBufferPointer { buffer in
            randomPool.withLock { $0.take(10, into: buffer.baseAddress! + 6) }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (i, digit) in Hex.encode(bytes).utf8.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Lowercase hexadecimal.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` as exactly `width` lowercase hex digits.
    public static func fixed(_ value: UInt64, width: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(width)
        appendFixed(value, width: width, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``fixed(_:width:)``'s digits.
    public static func appendFixed(_ value: UInt64, width: Int, into out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0x30, count: width))
        var v = value
        var i = start + width - 1
        while i >= start {
            out[i] = digits[Int(v & 0xF)]
            v >>= 4
            i -= 1
        }
    }

    /// Parses lowercase hex of exactly `width` digits.
    public static func parseFixed(_ text: String, width: Int) -> UInt64? {
        guard text.utf8.count == width, width <= 16 else { return nil }
        var v: UInt64 = 0
        for c in text.utf8 {
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        return v
    }
}

/// Random bytes for ids, drawn from the system 4 KiB at a time: glibc 2.36's `arc4random_buf` is a getrandom system
/// call on every call, and `SystemRandomNumberGenerator` one per 64 bits; a create made one each.
private let randomPool = Locked(RandomPool())

private struct RandomPool {
    private var bytes = [UInt8](repeating: 0, count: 4096)
    private var next = 4096

    mutating func take(_ count: Int, into target: UnsafeMutablePointer<UInt8>) {
        if next + count > bytes.count {
            bytes.withUnsafeMutableBufferPointer { arc4random_buf($0.baseAddress!, $0.count) }
            next = 0
        }
        bytes.withUnsafeBufferPointer { target.update(from: $0.baseAddress! + next, count: count) }
        next += count
    }
}
