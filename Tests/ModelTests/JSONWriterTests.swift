import TestSupport
import Testing
import Model

/// Random strings that stress escaping and UTF-8: controls, quotes, backslashes and every encoded length.
private func randomString(using rng: inout SplitMix64) -> String {
    var scalars = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0...12, using: &rng) {
        let value: UInt32
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: value = UInt32.random(in: 0..<0x20, using: &rng)
        case 1: value = [0x22, 0x5C, 0x2F, 0x7F].randomElement(using: &rng)!
        case 2: value = UInt32.random(in: 0x80..<0x800, using: &rng)
        case 3:
            let belowSurrogates = UInt32.random(in: 0x800..<0xD800, using: &rng)
            let aboveSurrogates = UInt32.random(in: 0xE000...0xFFFF, using: &rng)
            value = Bool.random(using: &rng) ? belowSurrogates : aboveSurrogates
        case 4: value = UInt32.random(in: 0x10000...0x10FFFF, using: &rng)
        default: value = UInt32.random(in: 0x20..<0x7F, using: &rng)
        }
        scalars.append(Unicode.Scalar(value)!)
    }
    return String(scalars)
}

private func randomDouble(using rng: inout SplitMix64) -> Double {
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return Double(Int.random(in: -100_000...100_000, using: &rng)) / 100
    case 1: return Double(Int32.random(in: .min ... .max, using: &rng))
    case 2:
        let specials: [Double] = [0.0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-7, 1e16, 0.1]
        return specials.randomElement(using: &rng)!
    default:
        while true {
            let d = Double(bitPattern: rng.next())
            if d.isFinite { return d }
        }
    }
}

private func randomValue(depth: Int, using rng: inout SplitMix64) -> JSONValue {
    let kinds = depth > 0 ? 8 : 6
    switch Int.random(in: 0..<kinds, using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2:
        let small = Int64.random(in: -1000...1000, using: &rng)
        return .int(Bool.random(using: &rng) ? small : Int64(bitPattern: rng.next()))
    case 3: return .double(randomDouble(using: &rng))
    case 4, 5: return .string(randomString(using: &rng))
    case 6:
        return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(depth: depth - 1, using: &rng) })
    default:
        var object: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            object[randomString(using: &rng)] = randomValue(depth: depth - 1, using: &rng)
        }
        return .object(object)
    }
}

@Suite struct JSONWriterTests {
    // MARK: Scalars

    @Test(arguments: [
        (.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.int(0), "0"),
        (.int(7), "7"),
        (.int(-42), "-42"),
        (.int(1_000_000), "1000000"),
        (.int(.max), "9223372036854775807"),
        (.int(.min), "-9223372036854775808"),
        (.double(1.5), "1.5"),
        (.double(-0.25), "-0.25"),
        (.double(0.1), "0.1"),
        (.double(100), "100.0"),
        (.double(0), "0.0"),
        (.double(-0.0), "-0.0"),
        (.double(1e-7), "1e-07"),
        (.double(1e16), "1e+16"),
        (.double(123_456_789.125), "123456789.125"),
        (.double(0.30000000000000004), "0.30000000000000004"),
        (.double(.leastNonzeroMagnitude), "5e-324"),
        (.double(.greatestFiniteMagnitude), "1.7976931348623157e+308"),
        (.double(.infinity), "null"),
        (.double(-.infinity), "null"),
        (.double(.nan), "null"),
        (.string(""), #""""#),
        (.string("plain"), #""plain""#),
    ] as [(JSONValue, String)])
    func writesScalar(_ value: JSONValue, _ expected: String) {
        #expect(value.jsonString == expected)
        #expect(JSONWriter(pretty: true).string(value) == expected)
    }

    // MARK: Strings

    @Test(arguments: [
        ("a\"b\\c/d", #""a\"b\\c/d""#),
        ("\n\r\t\u{8}\u{C}", #""\n\r\t\b\f""#),
        ("\u{0}\u{1}\u{1A}\u{1F} \u{7F}", "\"\\u0000\\u0001\\u001a\\u001f \u{7F}\""),
        ("é日😀\u{2028}\u{FFFF}", "\"é日😀\u{2028}\u{FFFF}\""),
        ("</script>", #""</script>""#),
        ("\"\"", #""\"\"""#),
        (
            "long run of plain text, then a quote\" and more plain text",
            #""long run of plain text, then a quote\" and more plain text""#
        ),
    ] as [(String, String)])
    func escapesString(_ string: String, _ expected: String) throws {
        var out: [UInt8] = []
        JSONWriter.appendEscapedString(string, into: &out)
        #expect(out == Array(expected.utf8))
        #expect(JSONValue.string(string).jsonBytes == Array(expected.utf8))
        #expect(try JSONParser.parse(out) == .string(string))
    }

    @Test func escapesEveryControlCharacter() throws {
        for byte in UInt8(0)..<0x20 {
            let string = String(decoding: [byte], as: UTF8.self)
            let written = JSONValue.string(string).jsonString
            let short: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
            let hexDigits = Array("0123456789abcdef")
            let expected = short[byte] ?? "\\u00" + String([hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            #expect(written == "\"" + expected + "\"")
            #expect(try JSONParser.parse(written) == .string(string))
        }
    }

    /// The writer skips plain text eight bytes at a time: every byte that needs escaping is found at every place in
    /// a word, next to plain ASCII or to multi-byte UTF-8 (whose bytes are all 0x80 or above), and near the end.
    @Test func escapesEveryByteAtEveryPlaceInAWord() throws {
        func escapedOneByOne(_ string: String) -> String {
            var out = "\""
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\u{8}": out += "\\b"
                case "\t": out += "\\t"
                case "\n": out += "\\n"
                case "\u{C}": out += "\\f"
                case "\r": out += "\\r"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        for filler in ["a", "é", "~"] {
            for length in [1, 7, 8, 9, 16, 17, 23] {
                for place in 0..<length {
                    for byte in UInt8(0)..<0x80 {
                        var scalars = Array(repeating: filler, count: length)
                        scalars[place] = String(UnicodeScalar(byte))
                        let string = scalars.joined()
                        var out: [UInt8] = []
                        JSONWriter.appendEscapedString(string, into: &out)
                        #expect(String(decoding: out, as: UTF8.self) == escapedOneByOne(string))
                    }
                }
            }
        }
    }

    @Test func appendsToExistingBytes() {
        var out = Array("prefix:".utf8)
        JSONWriter.appendEscapedString("x\ny", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"prefix:"x\ny""#)
        JSONWriter().write(.array([.int(1), .null]), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"prefix:"x\ny"[1,null]"#)
    }

    // MARK: Containers

    @Test func sortsKeysByTheirUTF8Bytes() {
        let object = JSONValue.object([
            "b": .int(1), "a": .int(2), "B": .int(3), "aa": .int(4), "": .int(5), "é": .int(6), "z": .int(7),
            "~": .int(8), "😀": .int(9), "\u{E000}": .int(10), "\u{FFFF}": .int(11), "a\u{0}": .int(12),
            "\u{212B}": .int(13), "\u{C6}": .int(14),
        ])
        // U+E000 and U+FFFF sort before U+1F600 by UTF-8 bytes (and code points), after it in UTF-16. U+212B (the
        // Angstrom sign) sorts after U+00C6 by bytes, but before it by Swift's `<`, which normalizes it to U+00C5.
        let expected = #"{"":5,"B":3,"a":2,"a\u0000":12,"aa":4,"b":1,"z":7,"~":8,"Æ":14,"é":6,"#
            + "\"\u{212B}\":13,\"\u{E000}\":10,\"\u{FFFF}\":11,\"😀\":9}"
        #expect(object.jsonString == expected)
    }

    @Test func keyOrderDoesNotDependOnInsertionOrder() {
        var rng = SplitMix64(seed: 42)
        let keys = (0..<200).map { "key\($0)-" + randomString(using: &rng) }
        var forward: [String: JSONValue] = [:]
        var backward: [String: JSONValue] = [:]
        for key in keys { forward[key] = .string(key) }
        for key in keys.reversed() { backward[key] = .string(key) }
        #expect(JSONValue.object(forward).jsonBytes == JSONValue.object(backward).jsonBytes)
    }

    @Test func writesContainersCompactly() {
        let value = JSONValue.object([
            "d": .array([]), "b": .object(["c": .null]), "a": .array([.int(1), .double(2.5), .object([:])]),
        ])
        #expect(value.jsonString == #"{"a":[1,2.5,{}],"b":{"c":null},"d":[]}"#)
        #expect(JSONValue.array([]).jsonString == "[]")
        #expect(JSONValue.object([:]).jsonString == "{}")
        #expect(JSONValue.array([.array([.array([])])]).jsonString == "[[[]]]")
    }

    @Test func writesContainersPretty() {
        let value = JSONValue.object([
            "d": .array([]), "b": .object(["c": .null]), "a": .array([.int(1), .double(2.5), .object([:])]),
            "e": .string("x"),
        ])
        let expected = """
            {
              "a": [
                1,
                2.5,
                {}
              ],
              "b": {
                "c": null
              },
              "d": [],
              "e": "x"
            }
            """
        #expect(JSONWriter(pretty: true).string(value) == expected)
        #expect(JSONWriter(pretty: true).string(.array([])) == "[]")
        #expect(JSONWriter(pretty: true).string(.object([:])) == "{}")
        #expect(JSONWriter(pretty: true).string(.array([.array([.int(1)])])) == "[\n  [\n    1\n  ]\n]")
    }

    @Test func bytesStringAndJSONPropertiesAgree() {
        let value = JSONValue.object(["k": .array([.string("é"), .int(-1), .bool(true)])])
        #expect(JSONWriter().bytes(value) == Array(#"{"k":["é",-1,true]}"#.utf8))
        #expect(JSONWriter().string(value) == #"{"k":["é",-1,true]}"#)
        #expect(value.jsonBytes == JSONWriter().bytes(value))
        #expect(value.jsonString == JSONWriter().string(value))
    }

    // MARK: Round trips

    @Test(arguments: [false, true])
    func randomValuesRoundTrip(pretty: Bool) throws {
        var rng = SplitMix64(seed: pretty ? 0xC0FFEE : 0xBEEF)
        let writer = JSONWriter(pretty: pretty)
        for _ in 0..<500 {
            let value = randomValue(depth: 4, using: &rng)
            let bytes = writer.bytes(value)
            let parsed = try JSONParser.parse(bytes)
            #expect(parsed == value, "\(writer.string(value))")
            // Canonical: writing the parsed value gives the same bytes (strings compared byte for byte).
            #expect(writer.bytes(parsed) == bytes)
            if !pretty {
                #expect(!bytes.contains(0x0A))
                #expect(!bytes.contains(0x20) || value.containsSpaceInAString)
            }
        }
    }

    @Test func mebibyteStringRoundTrips() throws {
        var rng = SplitMix64(seed: 7)
        var text = ""
        while text.utf8.count < 1 << 20 { text += randomString(using: &rng) }
        let bytes = JSONValue.string(text).jsonBytes
        let parsed = try JSONParser.parse(bytes)
        #expect(parsed.stringValue.map { Array($0.utf8) } == Array(text.utf8))
    }
}

extension JSONValue {
    /// Whether a space in compact output can come from string content.
    fileprivate var containsSpaceInAString: Bool {
        switch self {
        case .string(let s): return s.utf8.contains(0x20)
        case .array(let a): return a.contains { $0.containsSpaceInAString }
        case .object(let o): return o.contains { $0.key.utf8.contains(0x20) || $0.value.containsSpaceInAString }
        default: return false
        }
    }
}
