// Canonical JSON writer. Pure Swift and Foundation-free: it runs on every HTTP response.

/// Writes a ``JSONValue`` as UTF-8 JSON text.
///
/// The output is canonical: object keys are sorted by their UTF-8 bytes, compact output has no whitespace,
/// and pretty output uses 2-space indentation with no trailing newline. Strings escape only what RFC 8259
/// requires; a non-finite double, which JSON cannot express, is written as `null`.
public struct JSONWriter: Sendable {
    let pretty: Bool

    public init(pretty: Bool = false) {
        self.pretty = pretty
    }

    public func write(_ value: JSONValue, into out: inout [UInt8]) {
        write(value, indent: 0, into: &out)
    }

    public func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(value, indent: 0, into: &out)
        return out
    }

    public func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// Appends `s` as a JSON string literal, quotes included.
    public static func appendEscapedString(_ s: String, into out: inout [UInt8]) {
        out.append(quote)
        var s = s
        s.withUTF8 { appendEscaped($0, into: &out) }
        out.append(quote)
    }

    private func write(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(contentsOf: nullBytes)
        case .bool(let b):
            out.append(contentsOf: b ? trueBytes : falseBytes)
        case .int(let i):
            appendInteger(i, into: &out)
        case .double(let d):
            appendDouble(d, into: &out)
        case .string(let s):
            Self.appendEscapedString(s, into: &out)
        case .array(let array):
            guard !array.isEmpty else {
                out.append(contentsOf: emptyArrayBytes)
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, element) in array.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1, into: &out) }
                write(element, indent: indent + 1, into: &out)
            }
            if pretty { newline(indent, into: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else {
                out.append(contentsOf: emptyObjectBytes)
                return
            }
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.sorted(by: { utf8Precedes($0.key, $1.key) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1, into: &out) }
                Self.appendEscapedString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                write(member.value, indent: indent + 1, into: &out)
            }
            if pretty { newline(indent, into: &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ indent: Int, into out: inout [UInt8]) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }
}

extension JSONValue {
    /// Compact canonical JSON text.
    public var jsonString: String { JSONWriter().string(self) }

    /// Compact canonical JSON as UTF-8 bytes.
    public var jsonBytes: [UInt8] { JSONWriter().bytes(self) }
}

// MARK: - Scalars

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let nullBytes: StaticString = "null"
private let trueBytes: StaticString = "true"
private let falseBytes: StaticString = "false"
private let emptyArrayBytes: StaticString = "[]"
private let emptyObjectBytes: StaticString = "{}"
private let lowercaseHexDigits: StaticString = "0123456789abcdef"

extension Array where Element == UInt8 {
    @inline(__always)
    fileprivate mutating func append(contentsOf text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}

/// Byte-wise lexicographic order of the UTF-8 encodings, identical on every machine and locale: the order of
/// canonical JSON's keys, and of every list of names stored in it.
public func utf8Precedes(_ a: String, _ b: String) -> Bool {
    let fast = a.utf8.withContiguousStorageIfAvailable { a in
        b.utf8.withContiguousStorageIfAvailable { b in
            for i in 0..<min(a.count, b.count) where a[i] != b[i] { return a[i] < b[i] }
            return a.count < b.count
        }
    }
    if let fast = fast ?? nil { return fast }
    return a.utf8.lexicographicallyPrecedes(b.utf8)
}

private func appendInteger(_ value: Int64, into out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    let start = out.count
    repeat {
        out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
        magnitude /= 10
    } while magnitude > 0
    out[start...].reverse()
}

private func appendDouble(_ value: Double, into out: inout [UInt8]) {
    guard value.isFinite else {
        out.append(contentsOf: nullBytes)
        return
    }
    // Swift prints the shortest round-tripping form: "0.1", "100.0", "1e-07", "1e+16", all valid JSON.
    let start = out.count
    out.append(contentsOf: value.description.utf8)
    // Keep a double a double when parsed back: make sure there is a fraction or an exponent.
    if !out[start...].contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
        out.append(UInt8(ascii: "."))
        out.append(UInt8(ascii: "0"))
    }
}

private func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
    guard let base = bytes.baseAddress else { return }
    let count = bytes.count
    var runStart = 0
    var i = 0
    while i < count {
        // Most text has nothing to escape: skip it eight bytes at a time.
        if i + 8 <= count, !mayNeedEscaping(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
            i += 8
            continue
        }
        let byte = base[i]
        i += 1
        guard byte < 0x20 || byte == quote || byte == backslash else { continue }
        if runStart < i - 1 {
            out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - 1 - runStart))
        }
        runStart = i
        out.append(backslash)
        switch byte {
        case quote, backslash: out.append(byte)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        default:
            out.append(UInt8(ascii: "u"))
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "0"))
            lowercaseHexDigits.withUTF8Buffer { digits in
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
    }
    if runStart < count { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: count - runStart)) }
}

/// Whether any of the eight bytes of `word` may be a control character, a quote or a backslash (see
/// ``jsonStringSpecials(_:)``).
@inline(__always)
private func mayNeedEscaping(_ word: UInt64) -> Bool {
    jsonStringSpecials(word) & 0x8080_8080_8080_8080 != 0
}

/// The high bit of each byte of `word` that is a control character (below 0x20), a quote or a backslash: the bytes
/// a JSON string cannot hold as they are. A byte may be flagged without being one of those only when a lower byte
/// of the word is one (a borrow runs upwards from it), so no flag means none, and a flag means look closer.
/// See "Determine if a word has a byte less than n" in Sean Eron Anderson's Bit Twiddling Hacks.
@inline(__always)
func jsonStringSpecials(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let quotes = word ^ (ones &* 0x22)
    let backslashes = word ^ (ones &* 0x5C)
    let control = (word &- ones &* 0x20) & ~word
    return control | ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
}
