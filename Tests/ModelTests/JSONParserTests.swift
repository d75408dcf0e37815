import TestSupport
import Testing
import Model

/// The error `parse` throws for `bytes`, or nil when it parses.
private func parseError(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String, maxDepth: Int = 64) -> JSONParseError? {
    parseError(Array(text.utf8), maxDepth: maxDepth)
}

private func depthError(_ limit: Int, at offset: Int) -> JSONParseError {
    JSONParseError(message: "nesting deeper than \(limit) levels at byte \(offset)", offset: offset)
}

/// `[` repeated `depth` times, a value, then the matching `]`.
private func nestedArrays(_ depth: Int, innermost: String = "1") -> String {
    String(repeating: "[", count: depth) + innermost + String(repeating: "]", count: depth)
}

@Suite struct JSONParserTests {
    // MARK: Accepted documents

    @Test(arguments: [
        ("null", .null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("123", .int(123)),
        ("-123", .int(-123)),
        (#""abc""#, JSONValue.string("abc")),
        (#""""#, .string("")),
        ("[]", .array([])),
        ("{}", .object([:])),
        (" \t\r\n[ ]\n\t ", .array([])),
        (" { } ", .object([:])),
        ("[1,2,3]", .array([.int(1), .int(2), .int(3)])),
        ("[ 1 , 2 ]", .array([.int(1), .int(2)])),
        ("[[],[[]]]", .array([.array([]), .array([.array([])])])),
        (#"[null,true,false,"x",{}]"#, .array([.null, .bool(true), .bool(false), .string("x"), .object([:])])),
        (
            #"{"a":[1,{"b":null}],"c":"d"}"#,
            .object(["a": .array([.int(1), .object(["b": .null])]), "c": .string("d")])
        ),
        (#"{ "a" : 1 , "b" : 2 }"#, .object(["a": .int(1), "b": .int(2)])),
        (#"{"a\nb":1}"#, .object(["a\nb": .int(1)])),
        (#"{"":0}"#, .object(["": .int(0)])),
    ] as [(String, JSONValue)])
    func acceptsDocument(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(arguments: [
        ("1.0", 1.0),
        ("1e0", 1.0),
        ("1E2", 100.0),
        ("1e+2", 100.0),
        ("1E-2", 0.01),
        ("0e0", 0.0),
        ("0.1", 0.1),
        ("-1.5", -1.5),
        ("0.30000000000000004", 0.30000000000000004),
        ("123.456e-7", 123.456e-7),
        ("1.7976931348623157e308", Double.greatestFiniteMagnitude),
        ("5e-324", Double.leastNonzeroMagnitude),
        ("2.2250738585072014e-308", Double.leastNormalMagnitude),
        ("1e-400", 0.0),
        ("9223372036854775808", 9_223_372_036_854_775_808.0),
        ("-9223372036854775809", -9_223_372_036_854_775_809.0),
        ("100000000000000000000000", 1e23),
        ("123456789012345678901234567890", 1.2345678901234568e29),
        ("1.234567890123456789012345678901", 1.2345678901234568),
        ("9007199254740993.0", 9_007_199_254_740_992.0),
        ("1e22", 1e22),
        ("1e23", 1e23),
        ("0.000001", 0.000001),
        ("1E-0000000000000000000000000000001", 0.1),
    ] as [(String, Double)])
    func parsesDouble(_ text: String, _ expected: Double) throws {
        let value = try JSONParser.parse(text)
        if case .double(let d) = value {
            #expect(d.bitPattern == expected.bitPattern)
        } else {
            Issue.record("\(text) parsed as \(value), not a double")
        }
    }

    @Test func integersStayIntegers() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONParser.parse("[1,1.0]") == .array([.int(1), .double(1)]))
        #expect(try JSONParser.parse("1") != .double(1))
    }

    @Test func negativeZeroDoubleKeepsItsSign() throws {
        guard case .double(let d) = try JSONParser.parse("-0.0") else {
            Issue.record("-0.0 is not a double")
            return
        }
        #expect(d == 0 && d.sign == .minus)
    }

    /// The fast path (exact mantissa, power of ten up to 22) must agree bit for bit with Swift's correctly
    /// rounded `Double(String)`, and so must the slow path.
    @Test func numbersMatchSwiftsCorrectlyRoundedParsing() throws {
        var rng = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<5000 {
            var text = Bool.random(using: &rng) ? "-" : ""
            let integerDigits = Int.random(in: 1...20, using: &rng)
            text += String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<integerDigits { text += String(Int.random(in: 0...9, using: &rng)) }
            if Bool.random(using: &rng) {
                text += "."
                for _ in 0..<Int.random(in: 1...20, using: &rng) { text += String(Int.random(in: 0...9, using: &rng)) }
            }
            if Bool.random(using: &rng) {
                text += ["e", "E", "e+", "e-", "E-"].randomElement(using: &rng)!
                text += String(Int.random(in: 0...40, using: &rng))
            }
            let value = try JSONParser.parse(text)
            let reference = Double(text)!
            switch value {
            case .int(let i):
                #expect(!text.contains(".") && !text.lowercased().contains("e"))
                #expect(String(i) == text)
            case .double(let d):
                #expect(d.bitPattern == reference.bitPattern, "\(text)")
            default:
                Issue.record("\(text) parsed as \(value)")
            }
        }
    }

    @Test func shortestDoubleTextRoundTrips() throws {
        var rng = SplitMix64(seed: 0x5EED_0002)
        var checked = 0
        while checked < 3000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            checked += 1
            #expect(try JSONParser.parse(d.description) == .double(d), "\(d)")
        }
    }

    // MARK: Strings

    @Test(arguments: [
        (#""\u0041""#, "A"),
        (#""\u00e9\u00E9""#, "éé"),
        (#""\u65e5\u672C""#, "日本"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD834\uDd1e""#, "𝄞"),
        (#""\uDBFF\uDFFF""#, "\u{10FFFF}"),
        (#""\ud83d\ude00\ud83d\ude00x""#, "😀😀x"),
        (#""\u0000""#, "\u{0}"),
        (#""\u001f""#, "\u{1F}"),
        (#""\uFFFF""#, "\u{FFFF}"),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""a\nb""#, "a\nb"),
        (#""\n日本😀 and more""#, "\n日本😀 and more"),
        (#""abcdefghij\"klmnop""#, "abcdefghij\"klmnop"),
        (#""abcdefghijklmnop\\""#, "abcdefghijklmnop\\"),
        ("\"é日😀\"", "é日😀"),
        ("\"a\u{7F}b\"", "a\u{7F}b"),
        ("\"\u{2028}\u{2029}\"", "\u{2028}\u{2029}"),
        ("\"/\"", "/"),
        ("\"'\"", "'"),
    ] as [(String, String)])
    func decodesString(_ text: String, _ expected: String) throws {
        let value = try JSONParser.parse(text)
        #expect(value == .string(expected))
        #expect(value.stringValue.map { Array($0.utf8) } == Array(expected.utf8))
    }

    /// Boundary code points of every UTF-8 length, raw in the input.
    @Test(arguments: [
        [0xC2, 0x80] as [UInt8],  // U+0080
        [0xDF, 0xBF],  // U+07FF
        [0xE0, 0xA0, 0x80],  // U+0800
        [0xED, 0x9F, 0xBF],  // U+D7FF
        [0xEE, 0x80, 0x80],  // U+E000
        [0xEF, 0xBF, 0xBF],  // U+FFFF
        [0xF0, 0x90, 0x80, 0x80],  // U+10000
        [0xF4, 0x8F, 0xBF, 0xBF],  // U+10FFFF
    ])
    func acceptsValidUTF8(_ sequence: [UInt8]) throws {
        let document = [UInt8(ascii: "\"")] + sequence + [UInt8(ascii: "\"")]
        #expect(try JSONParser.parse(document) == .string(String(decoding: sequence, as: UTF8.self)))
        let escaped = Array(#"["\n"#.utf8) + sequence + Array(#"x"]"#.utf8)
        let expected = "\n" + String(decoding: sequence, as: UTF8.self) + "x"
        #expect(try JSONParser.parse(escaped) == .array([.string(expected)]))
    }

    @Test(arguments: [
        [0x80] as [UInt8],  // lone continuation byte
        [0xBF],
        [0xC0, 0xAF],  // overlong "/"
        [0xC1, 0xBF],  // overlong
        [0xE0, 0x80, 0xAF],  // overlong, 3 bytes
        [0xE0, 0x9F, 0xBF],  // overlong U+07FF
        [0xF0, 0x80, 0x80, 0xAF],  // overlong, 4 bytes
        [0xF0, 0x8F, 0xBF, 0xBF],  // overlong U+FFFF
        [0xED, 0xA0, 0x80],  // UTF-8 encoded surrogate U+D800
        [0xED, 0xBF, 0xBF],  // U+DFFF
        [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80],  // CESU-8 surrogate pair
        [0xF4, 0x90, 0x80, 0x80],  // U+110000
        [0xF5, 0x80, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0xFE],
        [0xFF],
        [0xC3],  // truncated by the closing quote
        [0xE6, 0x97],
        [0xF0, 0x9F, 0x98],
        [0xC3, 0x41],  // ASCII where a continuation byte belongs
        [0xE6, 0x41, 0x80],
        [0xF0, 0x9F, 0x41, 0x80],
    ])
    func rejectsInvalidUTF8InString(_ sequence: [UInt8]) {
        let document = [UInt8(ascii: "\"")] + sequence + [UInt8(ascii: "\"")]
        #expect(parseError(document) == JSONParseError(message: "invalid UTF-8 at byte 1", offset: 1))
        // The same after an escape, where the string is decoded through the scratch buffer.
        let escaped = Array(#"{"k":"\t"#.utf8) + sequence + Array(#""}"#.utf8)
        #expect(parseError(escaped) == JSONParseError(message: "invalid UTF-8 at byte 8", offset: 8))
    }

    @Test func rejectsInvalidUTF8AtTheRightOffset() {
        #expect(parseError([0x22, 0xC3, 0xA9, 0x80, 0x22])?.message == "invalid UTF-8 at byte 3")
        #expect(parseError([0x22, 0x61, 0x62, 0x63, 0xFF, 0x22])?.message == "invalid UTF-8 at byte 4")
        #expect(parseError(Array(#"{"a":1,""#.utf8) + [0xFF] + Array(#"":2}"#.utf8))?.offset == 8)
        // Truncated by the end of the input rather than by a quote.
        #expect(parseError([0x22, 0xF0, 0x9F]) == JSONParseError(message: "invalid UTF-8 at byte 1", offset: 1))
        // Past the 8-byte fast scan.
        let long = [0x22] + Array(repeating: UInt8(ascii: "a"), count: 21) + [0xED, 0xA0, 0x80, 0x22]
        #expect(parseError(long)?.message == "invalid UTF-8 at byte 22")
    }

    /// Each special byte at every position of a 40-byte string, so the 8-byte scan is checked at every alignment,
    /// both before and after an escape.
    @Test(arguments: ["", #"\t"#])
    func findsSpecialBytesAtEveryPosition(prefix: String) throws {
        let head = Array(("\"" + prefix).utf8)
        for position in 0..<40 {
            var body = Array(repeating: UInt8(ascii: "a"), count: 40)
            let offset = head.count + position
            let decodedPrefix = prefix.isEmpty ? "" : "\t"

            body[position] = 0x01
            let control = "unescaped control character U+0001 in string at byte \(offset)"
            #expect(parseError(head + body + [0x22]) == JSONParseError(message: control, offset: offset))
            body[position] = 0x7F
            #expect(try JSONParser.parse(head + body + [0x22]).stringValue?.utf8.count == decodedPrefix.utf8.count + 40)
            body[position] = 0xFF
            #expect(parseError(head + body + [0x22])?.message == "invalid UTF-8 at byte \(offset)")
            body[position] = 0x22
            let trailing = "trailing characters after the JSON value at byte \(offset + 1)"
            #expect(parseError(head + body + [0x22])?.message == trailing)
            let early = String(decoding: body[..<position], as: UTF8.self)
            #expect(try JSONParser.parse(head + body[...position]) == .string(decodedPrefix + early))

            var escaped = body
            escaped.replaceSubrange(position...position, with: Array(#"\n"#.utf8))
            let expected = decodedPrefix + String(repeating: "a", count: position) + "\n"
                + String(repeating: "a", count: 39 - position)
            #expect(try JSONParser.parse(head + escaped + [0x22]) == .string(expected))

            var multibyte = body
            multibyte.replaceSubrange(position...position, with: [0xE2, 0x82, 0xAC])
            let euro = decodedPrefix + String(repeating: "a", count: position) + "€"
                + String(repeating: "a", count: 39 - position)
            #expect(try JSONParser.parse(head + multibyte + [0x22]) == .string(euro))
        }
    }

    // MARK: Rejected documents

    @Test(arguments: [
        ("", "unexpected end of input at byte 0", 0),
        ("   ", "unexpected end of input at byte 3", 3),
        ("[", "unexpected end of input at byte 1", 1),
        ("[1,", "unexpected end of input at byte 3", 3),
        ("[1", "unterminated array starting at byte 0", 0),
        (#"{"a":[1 "#, "unterminated array starting at byte 5", 5),
        (#"{"a":1"#, "unterminated object starting at byte 0", 0),
        ("{", "expected a string key but found the end of the input at byte 1", 1),
        ("[1,]", "trailing comma at byte 2", 2),
        ("[1, ]", "trailing comma at byte 2", 2),
        (#"{"a":1,}"#, "trailing comma at byte 6", 6),
        ("[,1]", "unexpected character ',' at byte 1", 1),
        ("[1,,2]", "unexpected character ',' at byte 3", 3),
        ("[1 2]", "expected ',' or ']' but found '2' at byte 3", 3),
        ("[1}", "expected ',' or ']' but found '}' at byte 2", 2),
        (#"{"a":1 "b":2}"#, "expected ',' or '}' but found '\"' at byte 7", 7),
        (#"{"a" 1}"#, "expected ':' after the object key but found '1' at byte 5", 5),
        (#"{"a"}"#, "expected ':' after the object key but found '}' at byte 4", 4),
        (#"{"a":}"#, "unexpected character '}' at byte 5", 5),
        ("{a:1}", "expected a string key but found 'a' at byte 1", 1),
        ("{1:1}", "expected a string key but found '1' at byte 1", 1),
        ("{'a':1}", "expected a string key but found ''' at byte 1", 1),
        ("['a']", "unexpected character ''' at byte 1", 1),
        ("]", "unexpected character ']' at byte 0", 0),
        ("[1]]", "trailing characters after the JSON value at byte 3", 3),
        (#"{"a":1}}"#, "trailing characters after the JSON value at byte 7", 7),
        ("1 2", "trailing characters after the JSON value at byte 2", 2),
        ("[] []", "trailing characters after the JSON value at byte 3", 3),
        ("// comment\n[]", "unexpected character '/' at byte 0", 0),
        ("[] // comment", "trailing characters after the JSON value at byte 3", 3),
        ("/* c */ []", "unexpected character '/' at byte 0", 0),
        ("[1/* c */]", "expected ',' or ']' but found '/' at byte 2", 2),
        ("tru", "expected 'true' at byte 0", 0),
        ("[fals]", "expected 'false' at byte 1", 1),
        ("nul", "expected 'null' at byte 0", 0),
        ("True", "unexpected character 'T' at byte 0", 0),
        ("truex", "trailing characters after the JSON value at byte 4", 4),
        ("NaN", "unexpected character 'N' at byte 0", 0),
        ("Infinity", "unexpected character 'I' at byte 0", 0),
        ("-Infinity", "expected a digit but found 'I' at byte 1", 1),
        ("[nan]", "expected 'null' at byte 1", 1),
        ("01", "leading zero in number at byte 0", 0),
        ("-01", "leading zero in number at byte 0", 0),
        ("[00]", "leading zero in number at byte 1", 1),
        ("1.", "expected a digit after the decimal point but found the end of the input at byte 2", 2),
        ("1.e3", "expected a digit after the decimal point but found 'e' at byte 2", 2),
        (".5", "unexpected character '.' at byte 0", 0),
        ("+1", "unexpected character '+' at byte 0", 0),
        ("-", "expected a digit but found the end of the input at byte 1", 1),
        ("- 1", "expected a digit but found byte 0x20 at byte 1", 1),
        ("1e", "expected a digit in the exponent but found the end of the input at byte 2", 2),
        ("1e+", "expected a digit in the exponent but found the end of the input at byte 3", 3),
        ("1E-x", "expected a digit in the exponent but found 'x' at byte 3", 3),
        ("0x10", "trailing characters after the JSON value at byte 1", 1),
        ("1e999", "number out of range at byte 0", 0),
        ("-1e999", "number out of range at byte 0", 0),
        ("[1.5e400]", "number out of range at byte 1", 1),
        ("1" + String(repeating: "0", count: 400), "number out of range at byte 0", 0),
        (#""abc"#, "unterminated string starting at byte 0", 0),
        (#"["abc\"]"#, "unterminated string starting at byte 1", 1),
        (#"["a\n"#, "unterminated string starting at byte 1", 1),
        (#""abc\"#, "unterminated string escape at byte 4", 4),
        (#""\x""#, "invalid escape \\x at byte 1", 1),
        (#""\'""#, "invalid escape \\' at byte 1", 1),
        (#""\U0041""#, "invalid escape \\U at byte 1", 1),
        (#""\u12""#, "invalid \\u escape at byte 1", 1),
        (#""\u12G4""#, "invalid \\u escape at byte 1", 1),
        (#""ab\u""#, "invalid \\u escape at byte 3", 3),
        (#""\uD800""#, "unpaired surrogate \\uD800 at byte 1", 1),
        (#""\ud800abc""#, "unpaired surrogate \\uD800 at byte 1", 1),
        (#""\uD800\u0041""#, "unpaired surrogate \\uD800 at byte 1", 1),
        (#""\uD800\uD800""#, "unpaired surrogate \\uD800 at byte 1", 1),
        (#""\uDBFF\uE000""#, "unpaired surrogate \\uDBFF at byte 1", 1),
        (#""\uD800\n""#, "unpaired surrogate \\uD800 at byte 1", 1),
        (#""x\uDC00""#, "unpaired surrogate \\uDC00 at byte 2", 2),
        (#""\uDFFF\uD800""#, "unpaired surrogate \\uDFFF at byte 1", 1),
        (#""\uD800\uDC0""#, "invalid \\u escape at byte 7", 7),
        ("\"a\tb\"", "unescaped control character U+0009 in string at byte 2", 2),
        ("\"a\nb\"", "unescaped control character U+000A in string at byte 2", 2),
        ("\"\u{0}\"", "unescaped control character U+0000 in string at byte 1", 1),
        ("[\"\\n\u{1F}\"]", "unescaped control character U+001F in string at byte 4", 4),
        ("\"abcdefghijklmnopqrstuvwxyz\u{1}\"", "unescaped control character U+0001 in string at byte 27", 27),
        ("[\u{0}]", "unexpected byte 0x00 at byte 1", 1),
        ("\u{C}[]", "unexpected byte 0x0C at byte 0", 0),
        ("[]\u{B}", "trailing characters after the JSON value at byte 2", 2),
        ("\u{A0}[]", "unexpected byte 0xC2 outside a string at byte 0", 0),
        ("\u{FEFF}[]", "unexpected byte 0xEF outside a string at byte 0", 0),
        ("[é]", "unexpected byte 0xC3 outside a string at byte 1", 1),
    ] as [(String, String, Int)])
    func rejectsDocument(_ text: String, _ message: String, _ offset: Int) {
        #expect(parseError(text) == JSONParseError(message: message, offset: offset))
    }

    @Test(arguments: [
        (#"{"a":1,"a":2}"#, #"duplicate key "a" at byte 7"#, 7),
        (#"{"a":1,"a":1}"#, #"duplicate key "a" at byte 7"#, 7),
        (#"{"x":{"y":1,"z":2,"y":[]}}"#, #"duplicate key "y" at byte 18"#, 18),
        (#"{"a":1,"\u0061":2}"#, #"duplicate key "a" at byte 7"#, 7),
        (#"{"a\"b":1, "a\"b":2}"#, #"duplicate key "a\"b" at byte 11"#, 11),
        (#"[{"k":1},{"k":2,"k":3}]"#, #"duplicate key "k" at byte 16"#, 16),
    ] as [(String, String, Int)])
    func rejectsDuplicateKeys(_ text: String, _ message: String, _ offset: Int) {
        #expect(parseError(text) == JSONParseError(message: message, offset: offset))
    }

    @Test func sameKeyInSeparateObjectsIsFine() throws {
        let value = try JSONParser.parse(#"[{"k":1},{"k":2,"j":{"k":3}}]"#)
        #expect(value == .array([.object(["k": .int(1)]), .object(["k": .int(2), "j": .object(["k": .int(3)])])]))
    }

    // MARK: Depth

    @Test func acceptsNestingUpToTheLimit() throws {
        var value = try JSONParser.parse(nestedArrays(64))
        for _ in 0..<64 {
            guard case .array(let elements) = value, elements.count == 1 else {
                Issue.record("expected a one-element array, got \(value)")
                return
            }
            value = elements[0]
        }
        #expect(value == .int(1))

        let objects = String(repeating: #"{"a":"#, count: 64) + "null" + String(repeating: "}", count: 64)
        #expect(throws: Never.self) { try JSONParser.parse(objects) }
    }

    @Test func rejectsNestingBeyondTheLimit() {
        #expect(parseError(nestedArrays(65)) == depthError(64, at: 64))
        let objects = String(repeating: #"{"a":"#, count: 65) + "null" + String(repeating: "}", count: 65)
        #expect(parseError(objects) == depthError(64, at: 320))
        let mixed = String(repeating: #"[{"a":"#, count: 33) + "1" + String(repeating: "}]", count: 33)
        #expect(parseError(mixed)?.message == "nesting deeper than 64 levels at byte 192")
        // Siblings do not add up: only nesting counts.
        let wide = "[" + Array(repeating: nestedArrays(63), count: 100).joined(separator: ",") + "]"
        #expect(parseError(wide) == nil)
    }

    @Test func honoursACustomDepth() throws {
        #expect(try JSONParser.parse("[[1]]", maxDepth: 2) == .array([.array([.int(1)])]))
        #expect(parseError("[[[1]]]", maxDepth: 2) == depthError(2, at: 2))
        #expect(try JSONParser.parse("\"flat\"", maxDepth: 0) == .string("flat"))
        #expect(parseError("[]", maxDepth: 0)?.message == "nesting deeper than 0 levels at byte 0")
        #expect(try JSONParser.parse(nestedArrays(200), maxDepth: 200) != .null)
    }

    @Test func aMegabyteOfOpenBracketsFailsFast() {
        let clock = ContinuousClock()
        for (opener, offset) in [("[", 64), (#"{"k":"#, 320), (#"[{"":"#, 160)] {
            let body = [UInt8](String(repeating: opener, count: (1 << 20) / opener.utf8.count).utf8)
            var error: JSONParseError?
            let elapsed = clock.measure { error = parseError(body) }
            #expect(error == depthError(64, at: offset))
            #expect(elapsed < .milliseconds(500))
        }
    }

    // MARK: Large strings

    @Test func parsesAMebibyteString() throws {
        // Every printable ASCII character except the quote and the backslash, 1 MiB of them.
        let asciiBytes = (0..<(1 << 20)).map { i -> UInt8 in
            let byte = UInt8(0x20 + i % 95)
            return byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") ? UInt8(ascii: "_") : byte
        }
        let ascii = String(decoding: asciiBytes, as: UTF8.self)
        #expect(ascii.utf8.count == 1 << 20)
        #expect(try JSONParser.parse("\"" + ascii + "\"") == .string(ascii))

        let unit = "héllo 日本 😀 \"quoted\" \\ tab\t\n"
        let mixed = String(repeating: unit, count: (1 << 20) / unit.utf8.count + 1)
        let document = JSONValue.array([.string(mixed), .string(ascii)]).jsonBytes
        #expect(document.count > 2 << 20)
        let parsed = try JSONParser.parse(document)
        #expect(parsed == .array([.string(mixed), .string(ascii)]))
        #expect(parsed.arrayValue?.first?.stringValue?.utf8.count == mixed.utf8.count)

        let raw = String(repeating: "日本語😀é", count: 60_000)
        #expect(try JSONParser.parse("\"" + raw + "\"").stringValue?.utf8.count == raw.utf8.count)
    }

    // MARK: Entry points

    @Test func everyEntryPointAgrees() throws {
        let text = #" {"list":[1,2.5,"three",null],"ok":true} "#
        let expected = JSONValue.object([
            "list": .array([.int(1), .double(2.5), .string("three"), .null]), "ok": .bool(true),
        ])
        let bytes = Array(text.utf8)
        #expect(try JSONParser.parse(text) == expected)
        #expect(try JSONParser.parse(bytes) == expected)
        #expect(try bytes.withUnsafeBytes { raw in try JSONParser.parse(raw) } == expected)
        #expect(try JSONParser.parse(text.utf8) == expected)
        #expect(try JSONParser.parse(bytes.lazy.map { $0 }) == expected)

        let framed = Array("xx".utf8) + bytes + Array("yy".utf8)
        #expect(try JSONParser.parse(framed[2..<(framed.count - 2)]) == expected)
        // Offsets are relative to the slice.
        #expect(throws: JSONParseError(message: "unexpected character 'x' at byte 0", offset: 0)) {
            try JSONParser.parse(framed[0..<(framed.count - 2)])
        }
        #expect(throws: JSONParseError(message: "unexpected end of input at byte 0", offset: 0)) {
            try JSONParser.parse(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    @Test func errorDescribesItself() {
        let error = parseError("[1,2,x]")
        #expect(error == JSONParseError(message: "unexpected character 'x' at byte 5", offset: 5))
        #expect(error.map { String(describing: $0) } == "unexpected character 'x' at byte 5")
    }
}
