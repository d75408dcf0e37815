// Strict RFC 8259 JSON parser. Pure Swift and Foundation-free: it runs on every HTTP request body.

/// Why a document is not valid JSON, and the byte offset (0-based) where the problem was found.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sentence for humans that already names the byte offset, e.g. "unexpected character 'x' at byte 17".
    public var message: String
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}

/// Parses JSON text (RFC 8259, strictly) into a ``JSONValue``.
///
/// Exactly one value with optional surrounding whitespace; the input must be valid UTF-8; objects may not
/// repeat a key. `maxDepth` bounds the nesting of arrays and objects, and with it the parser's recursion: the
/// default 64 needs only a few kilobytes of stack, so keep custom limits in the hundreds at most.
public enum JSONParser {
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        var parser = Parser(input: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) in try parse(raw, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(_ string: String, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        var string = string
        let result = string.withUTF8 { utf8 in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth) }
        }
        return try result.get()
    }

    /// Any other byte collection (`ArraySlice`, `Data`, ...): parsed in place when contiguous, else copied once.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth) }
        }
        if let contiguous { return try contiguous.get() }
        return try parse(Array(bytes), maxDepth: maxDepth)
    }
}

// MARK: - ASCII

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let comma = UInt8(ascii: ",")
private let colon = UInt8(ascii: ":")
private let openBracket = UInt8(ascii: "[")
private let closeBracket = UInt8(ascii: "]")
private let openBrace = UInt8(ascii: "{")
private let closeBrace = UInt8(ascii: "}")
private let minus = UInt8(ascii: "-")
private let plus = UInt8(ascii: "+")
private let zero = UInt8(ascii: "0")
private let nine = UInt8(ascii: "9")
private let dot = UInt8(ascii: ".")

/// Powers of ten that are exact in a `Double` (Clinger's fast path).
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

@inline(__always)
private func isDigit(_ byte: UInt8) -> Bool { byte &- zero <= 9 }

@inline(__always)
private func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
}

private func hex(_ value: UInt32, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}

/// What a byte looks like in an error message: `'x'` for visible ASCII, `byte 0xC3` otherwise.
private func describe(_ byte: UInt8) -> String {
    if byte > 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    return "byte 0x\(hex(UInt32(byte), digits: 2))"
}

private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        out.append(UInt8(scalar))
    case 0x80..<0x800:
        out.append(0xC0 | UInt8(scalar >> 6))
        out.append(0x80 | UInt8(scalar & 0x3F))
    case 0x800..<0x10000:
        out.append(0xE0 | UInt8(scalar >> 12))
        out.append(0x80 | UInt8((scalar >> 6) & 0x3F))
        out.append(0x80 | UInt8(scalar & 0x3F))
    default:
        out.append(0xF0 | UInt8(scalar >> 18))
        out.append(0x80 | UInt8((scalar >> 12) & 0x3F))
        out.append(0x80 | UInt8((scalar >> 6) & 0x3F))
        out.append(0x80 | UInt8(scalar & 0x3F))
    }
}

// MARK: - Parser

private struct Parser {
    let input: UnsafeRawBufferPointer
    let end: Int
    let maxDepth: Int
    var pos = 0
    var depth = 0
    /// Decoded bytes of the current string when it contains escapes; reused across strings.
    var scratch: [UInt8] = []
    /// Elements of the open arrays, innermost last: each array is built once at its exact size.
    var elements: [JSONValue] = []
    /// Members of the open objects, innermost last: each dictionary is built once at its exact size.
    var members: [(key: String, value: JSONValue, offset: Int)] = []

    init(input: UnsafeRawBufferPointer, maxDepth: Int) {
        self.input = input
        self.end = input.count
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        guard pos == end else { throw fail("trailing characters after the JSON value at byte \(pos)", at: pos) }
        return value
    }

    // MARK: Helpers

    func fail(_ message: String, at offset: Int) -> JSONParseError {
        JSONParseError(message: message, offset: offset)
    }

    /// "expected X but found Y at byte N", where Y is the byte at `pos` or the end of the input.
    func expected(_ what: String) -> JSONParseError {
        guard pos < end else { return fail("expected \(what) but found the end of the input at byte \(pos)", at: pos) }
        return fail("expected \(what) but found \(describe(input[pos])) at byte \(pos)", at: pos)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end && isWhitespace(input[pos]) { pos += 1 }
    }

    // MARK: Values

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input at byte \(pos)", at: pos) }
        switch input[pos] {
        case quote: return .string(try parseString())
        case openBrace: return try parseObject()
        case openBracket: return try parseArray()
        case minus, zero...nine: return try parseNumber()
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return .null
        case let byte where byte > 0x20 && byte < 0x7F:
            throw fail("unexpected character \(describe(byte)) at byte \(pos)", at: pos)
        case let byte where byte < 0x80:
            throw fail("unexpected \(describe(byte)) at byte \(pos)", at: pos)
        case let byte:
            throw fail("unexpected \(describe(byte)) outside a string at byte \(pos)", at: pos)
        }
    }

    mutating func parseLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = pos
        let matches = literal.withUTF8Buffer { text in
            guard end - start >= text.count else { return false }
            for i in 0..<text.count where input[start + i] != text[i] { return false }
            return true
        }
        guard matches else { throw fail("expected '\(literal)' at byte \(start)", at: start) }
        pos += literal.utf8CodeUnitCount
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth) levels at byte \(pos)", at: pos) }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        let open = pos
        try enterContainer()
        pos += 1
        skipWhitespace()
        if pos < end && input[pos] == closeBracket {
            pos += 1
            depth -= 1
            return .array([])
        }
        let base = elements.count
        while true {
            let element = try parseValue()
            elements.append(element)
            skipWhitespace()
            guard pos < end else { throw fail("unterminated array starting at byte \(open)", at: open) }
            if input[pos] == closeBracket {
                pos += 1
                break
            }
            guard input[pos] == comma else { throw expected("',' or ']'") }
            let commaOffset = pos
            pos += 1
            skipWhitespace()
            if pos < end && input[pos] == closeBracket {
                throw fail("trailing comma at byte \(commaOffset)", at: commaOffset)
            }
        }
        let array = Array(elements[base...])
        elements.removeSubrange(base...)
        depth -= 1
        return .array(array)
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        let open = pos
        try enterContainer()
        pos += 1
        skipWhitespace()
        if pos < end && input[pos] == closeBrace {
            pos += 1
            depth -= 1
            return .object([:])
        }
        let base = members.count
        while true {
            guard pos < end, input[pos] == quote else { throw expected("a string key") }
            let keyOffset = pos
            let key = try parseString()
            skipWhitespace()
            guard pos < end, input[pos] == colon else { throw expected("':' after the object key") }
            pos += 1
            let value = try parseValue()
            members.append((key, value, keyOffset))
            skipWhitespace()
            guard pos < end else { throw fail("unterminated object starting at byte \(open)", at: open) }
            if input[pos] == closeBrace {
                pos += 1
                break
            }
            guard input[pos] == comma else { throw expected("',' or '}'") }
            let commaOffset = pos
            pos += 1
            skipWhitespace()
            if pos < end && input[pos] == closeBrace {
                throw fail("trailing comma at byte \(commaOffset)", at: commaOffset)
            }
        }
        var object = [String: JSONValue](minimumCapacity: members.count - base)
        for member in members[base...] where object.updateValue(member.value, forKey: member.key) != nil {
            // Swift compares strings by canonical equivalence, so "é" and "e\u{301}" count as the same key.
            var quoted: [UInt8] = []
            JSONWriter.appendEscapedString(String(member.key.prefix(100)), into: &quoted)
            let name = String(decoding: quoted, as: UTF8.self)
            throw fail("duplicate key \(name) at byte \(member.offset)", at: member.offset)
        }
        members.removeSubrange(base...)
        depth -= 1
        return .object(object)
    }

    // MARK: Numbers

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = pos
        let negative = input[pos] == minus
        if negative { pos += 1 }
        guard pos < end, isDigit(input[pos]) else { throw expected("a digit") }

        // Significant digits, integer and fraction together, while they fit in a UInt64.
        var mantissa: UInt64 = 0
        var mantissaOverflow = false
        @inline(__always) func accumulate(_ digit: UInt8) {
            let (times10, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit &- zero))
            if o1 || o2 { mantissaOverflow = true } else { mantissa = sum }
        }

        if input[pos] == zero {
            pos += 1
            if pos < end && isDigit(input[pos]) { throw fail("leading zero in number at byte \(start)", at: start) }
        } else {
            while pos < end && isDigit(input[pos]) {
                if !mantissaOverflow { accumulate(input[pos]) }
                pos += 1
            }
        }
        var isInteger = true
        var fractionDigits = 0
        if pos < end && input[pos] == dot {
            isInteger = false
            pos += 1
            guard pos < end, isDigit(input[pos]) else { throw expected("a digit after the decimal point") }
            while pos < end && isDigit(input[pos]) {
                if !mantissaOverflow {
                    accumulate(input[pos])
                    fractionDigits += 1
                }
                pos += 1
            }
        }
        var exponent = 0
        if pos < end && (input[pos] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            pos += 1
            var exponentNegative = false
            if pos < end && (input[pos] == plus || input[pos] == minus) {
                exponentNegative = input[pos] == minus
                pos += 1
            }
            guard pos < end, isDigit(input[pos]) else { throw expected("a digit in the exponent") }
            while pos < end && isDigit(input[pos]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(input[pos] &- zero) }
                pos += 1
            }
            if exponentNegative { exponent = -exponent }
        }

        if isInteger && !mantissaOverflow {
            if !negative && mantissa <= UInt64(Int64.max) { return .int(Int64(mantissa)) }
            if negative && mantissa <= Int64.min.magnitude { return .int(Int64(truncatingIfNeeded: 0 &- mantissa)) }
        }
        // Clinger: an exact mantissa times or divided by an exact power of ten is one correctly rounded operation.
        let power = exponent - fractionDigits
        if !mantissaOverflow && mantissa <= 1 << 53 && power >= -22 && power <= 22 {
            var value = Double(mantissa)
            value = power < 0 ? value / exactPowersOfTen[-power] : value * exactPowersOfTen[power]
            return .double(negative ? -value : value)
        }
        guard let value = Double(makeString(from: start, to: pos)), value.isFinite else {
            throw fail("number out of range at byte \(start)", at: start)
        }
        return .double(value)
    }

    // MARK: Strings

    /// A string from already validated UTF-8 input bytes.
    func makeString(from start: Int, to stop: Int) -> String {
        let count = stop - start
        guard count > 0, let base = input.baseAddress else { return "" }
        let source = UnsafeRawBufferPointer(start: base + start, count: count)
        return String(unsafeUninitializedCapacity: count) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            return count
        }
    }

    /// Advances `pos` over ASCII bytes that need no attention inside a string, eight at a time.
    @inline(__always)
    mutating func skipPlainASCII() {
        while end - pos >= 8 {
            let word = input.loadUnaligned(fromByteOffset: pos, as: UInt64.self)
            // Non-ASCII bytes (high bit set) need attention too: they are checked as UTF-8.
            if (word | jsonStringSpecials(word)) & 0x8080_8080_8080_8080 != 0 { break }
            pos += 8
        }
    }

    /// Parses the string whose opening quote is at `pos`; leaves `pos` after the closing quote.
    mutating func parseString() throws(JSONParseError) -> String {
        let open = pos
        pos += 1
        let start = pos
        while true {
            skipPlainASCII()
            guard pos < end else { throw fail("unterminated string starting at byte \(open)", at: open) }
            let byte = input[pos]
            if byte == quote {
                pos += 1
                return makeString(from: start, to: pos - 1)
            } else if byte == backslash {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[start..<pos]))
                return try parseEscapedString(open: open)
            } else if byte >= 0x80 {
                try skipMultibyteScalar()
            } else if byte < 0x20 {
                throw controlCharacter(byte)
            } else {
                pos += 1
            }
        }
    }

    /// The rest of a string that contains escapes, decoded into `scratch`; `pos` is at a backslash.
    mutating func parseEscapedString(open: Int) throws(JSONParseError) -> String {
        while true {
            let runStart = pos
            while true {
                skipPlainASCII()
                guard pos < end else { throw fail("unterminated string starting at byte \(open)", at: open) }
                let byte = input[pos]
                if byte == quote || byte == backslash { break }
                if byte >= 0x80 {
                    try skipMultibyteScalar()
                } else if byte < 0x20 {
                    throw controlCharacter(byte)
                } else {
                    pos += 1
                }
            }
            if runStart < pos { scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[runStart..<pos])) }
            if input[pos] == quote {
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            try parseEscape()
        }
    }

    func controlCharacter(_ byte: UInt8) -> JSONParseError {
        fail("unescaped control character U+\(hex(UInt32(byte), digits: 4)) in string at byte \(pos)", at: pos)
    }

    /// Decodes the escape at `pos` (a backslash) into `scratch`.
    mutating func parseEscape() throws(JSONParseError) {
        let escape = pos
        guard pos + 1 < end else { throw fail("unterminated string escape at byte \(escape)", at: escape) }
        let letter = input[pos + 1]
        pos += 2
        switch letter {
        case quote, backslash, UInt8(ascii: "/"): scratch.append(letter)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escape: escape)
            switch unit {
            case 0xD800...0xDBFF:
                let low = pos
                guard end - pos >= 2, input[pos] == backslash, input[pos + 1] == UInt8(ascii: "u") else {
                    throw fail("unpaired surrogate \\u\(hex(unit, digits: 4)) at byte \(escape)", at: escape)
                }
                pos += 2
                let second = try parseHex4(escape: low)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw fail("unpaired surrogate \\u\(hex(unit, digits: 4)) at byte \(escape)", at: escape)
                }
                appendUTF8(0x10000 + ((unit - 0xD800) << 10) + (second - 0xDC00), to: &scratch)
            case 0xDC00...0xDFFF:
                throw fail("unpaired surrogate \\u\(hex(unit, digits: 4)) at byte \(escape)", at: escape)
            default:
                appendUTF8(unit, to: &scratch)
            }
        default:
            throw fail("invalid escape \\\(Character(Unicode.Scalar(letter))) at byte \(escape)", at: escape)
        }
    }

    /// Four hex digits at `pos`, for the `\u` escape that starts at `escape`.
    mutating func parseHex4(escape: Int) throws(JSONParseError) -> UInt32 {
        guard end - pos >= 4 else { throw fail("invalid \\u escape at byte \(escape)", at: escape) }
        var value: UInt32 = 0
        for i in 0..<4 {
            let byte = input[pos + i]
            let digit: UInt8
            switch byte {
            case zero...nine: digit = byte - zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape at byte \(escape)", at: escape)
            }
            value = value << 4 | UInt32(digit)
        }
        pos += 4
        return value
    }

    /// Validates the multi-byte UTF-8 sequence whose lead byte is at `pos` (Unicode table 3-7) and skips it.
    mutating func skipMultibyteScalar() throws(JSONParseError) {
        let lead = input[pos]
        let continuationCount: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: continuationCount = 1
        case 0xE0: continuationCount = 2; low = 0xA0  // overlong below U+0800
        case 0xE1...0xEC, 0xEE...0xEF: continuationCount = 2
        case 0xED: continuationCount = 2; high = 0x9F  // UTF-16 surrogates
        case 0xF0: continuationCount = 3; low = 0x90  // overlong below U+10000
        case 0xF1...0xF3: continuationCount = 3
        case 0xF4: continuationCount = 3; high = 0x8F  // above U+10FFFF
        default: throw fail("invalid UTF-8 at byte \(pos)", at: pos)
        }
        guard end - pos > continuationCount else { throw fail("invalid UTF-8 at byte \(pos)", at: pos) }
        let second = input[pos + 1]
        guard second >= low && second <= high else { throw fail("invalid UTF-8 at byte \(pos)", at: pos) }
        for i in stride(from: 2, through: continuationCount, by: 1) where input[pos + i] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8 at byte \(pos)", at: pos)
        }
        pos += continuationCount + 1
    }
}
