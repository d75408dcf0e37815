import Foundation
import TestSupport
import Testing

@testable import Model

/// Property tests of what parses untrusted input in Model: the JSON parser (valid documents round-trip, mutated and
/// random bytes are accepted or refused cleanly, never a crash) and merge-patch validation (every bad field is
/// named, and what is left once they are removed is valid). Seeded, so a failure replays; `JOBPREP_FUZZ_SCALE`
/// multiplies the number of cases (scripts/fuzz.sh runs them longer). `Fuzz/JSONParserFuzz.swift` is the
/// libFuzzer target for the same parser.
@Suite struct ParserPropertyTests {
    static let scale = max(1, Int(ProcessInfo.processInfo.environment["JOBPREP_FUZZ_SCALE"] ?? "") ?? 1)

    // MARK: Generators

    private static func string(_ rng: inout SplitMix64, maxLength: Int = 12) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &rng) {
            let value: UInt32
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: value = UInt32.random(in: 0..<0x20, using: &rng)
            case 1: value = [0x22, 0x5C, 0x2F, 0x7F, 0x2028].randomElement(using: &rng)!
            case 2: value = UInt32.random(in: 0x80..<0xD800, using: &rng)
            case 3: value = UInt32.random(in: 0x10000...0x10FFFF, using: &rng)
            default: value = UInt32.random(in: 0x20..<0x7F, using: &rng)
            }
            scalars.append(Unicode.Scalar(value) ?? "?")
        }
        return String(scalars)
    }

    private static func value(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 9 : 6), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            return .int(
                Bool.random(using: &rng) ? Int64.random(in: -999...999, using: &rng) : Int64(bitPattern: rng.next()))
        case 3:
            let d = Double(bitPattern: rng.next())
            return .double(d.isFinite ? d : Double(Int32.random(in: .min ... .max, using: &rng)) / 7)
        case 4, 5: return .string(string(&rng))
        case 6: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(&rng, depth: depth - 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                members[string(&rng, maxLength: 6)] = value(&rng, depth: depth - 1)
            }
            return .object(members)
        }
    }

    /// Bytes that matter to a JSON parser, for mutations.
    private static let interesting: [UInt8] =
        Array(#"{}[]:,"\/ebnrtuE+-.0123456789"#.utf8) + [
            0x00, 0x01, 0x1F, 0x20, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
        ]

    private static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !bytes.isEmpty: bytes[at] = interesting.randomElement(using: &rng)!
            case 2: bytes.insert(interesting.randomElement(using: &rng)!, at: at)
            case 3 where !bytes.isEmpty: bytes.remove(at: at)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &rng))
                bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &rng))
            case 5 where !bytes.isEmpty: bytes.removeSubrange(at...)
            default:
                bytes.insert(
                    contentsOf: Array(#"\u"#.utf8) + Array(String(rng.next() & 0xFFFF, radix: 16).utf8), at: at)
            }
        }
        return bytes
    }

    /// Parses, checking the outcome is clean: a failure points inside the input; a success came from UTF-8 and
    /// writes back to bytes that parse to the same value and are stable. Returns whether it parsed.
    @discardableResult
    private static func check(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            #expect(error.offset >= 0 && error.offset <= bytes.count, sourceLocation: sourceLocation)
            #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
            return false
        }
        #expect(
            bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) } != nil,
            "accepted bytes that are not UTF-8: \(bytes)", sourceLocation: sourceLocation)
        let written = JSONWriter().bytes(value)
        let reparsed = try? JSONParser.parse(written)
        #expect(reparsed == value, sourceLocation: sourceLocation)
        #expect(reparsed.map { JSONWriter().bytes($0) } == written, sourceLocation: sourceLocation)
        return true
    }

    // MARK: JSON

    @Test func validDocumentsRoundTripCompactAndPretty() throws {
        var rng = SplitMix64(seed: 0xF022_0001)
        let count = 3000 * Self.scale
        for _ in 0..<count {
            let document = Self.value(&rng, depth: 4)
            #expect(try JSONParser.parse(JSONWriter().bytes(document)) == document)
            #expect(try JSONParser.parse(JSONWriter(pretty: true).bytes(document)) == document)
        }
        print("json round trips: \(count) documents, compact and pretty")
    }

    @Test func mutatedDocumentsAreAcceptedOrRefusedCleanly() throws {
        var rng = SplitMix64(seed: 0xF022_0002)
        let count = 6000 * Self.scale
        var accepted = 0
        var foundationDisagrees: [String] = []
        for _ in 0..<count {
            let source = JSONWriter(pretty: Bool.random(using: &rng)).bytes(Self.value(&rng, depth: 3))
            let mutated = Self.mutate(source, &rng)
            if Self.check(mutated) {
                accepted += 1
                // A second opinion: what we accept, Foundation's parser accepts too (we may refuse more: duplicate
                // keys, nesting past 64, numbers out of range).
                if (try? JSONSerialization.jsonObject(with: Data(mutated), options: .fragmentsAllowed)) == nil {
                    foundationDisagrees.append(String(decoding: mutated.prefix(80), as: UTF8.self))
                }
            }
        }
        #expect(foundationDisagrees.isEmpty, "accepted but refused by Foundation: \(foundationDisagrees.prefix(5))")
        #expect(accepted > count / 50, "too few mutations parse to mean anything (\(accepted))")
        print("json mutations: \(count) mutated documents, \(accepted) still valid, the rest refused cleanly")
    }

    @Test func randomBytesAreRefusedCleanly() {
        var rng = SplitMix64(seed: 0xF022_0003)
        let count = 4000 * Self.scale
        for _ in 0..<count {
            let bytes = (0..<Int.random(in: 0...48, using: &rng)).map { _ in
                Bool.random(using: &rng)
                    ? Self.interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            Self.check(bytes)
        }
        print("json random inputs: \(count)")
    }

    @Test func nestingIsBoundedWithoutRecursingDeep() {
        for depth in [1, 63, 64, 65, 1000, 200_000] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(Self.check(Array(text.utf8)) == (depth <= 64), "depth \(depth)")
            let objects = String(repeating: #"{"a":"#, count: depth) + "0" + String(repeating: "}", count: depth)
            #expect(Self.check(Array(objects.utf8)) == (depth <= 64), "depth \(depth)")
        }
    }

    // MARK: Merge patches

    /// A value the field accepts (nil: no obvious one, for references to records that may not exist).
    private static func valid(_ type: FieldType, _ rng: inout SplitMix64) -> JSONValue {
        switch type {
        case .line(let max):
            return .string(
                String(
                    (0..<Int.random(in: 1...min(max, 20), using: &rng)).map { _ in
                        "abc xyzé日".randomElement(using: &rng)!
                    }))
        case .text(let max):
            return .string(
                String(
                    (0..<Int.random(in: 0...min(max, 40), using: &rng)).map { _ in
                        "ab \nc\té".randomElement(using: &rng)!
                    }))
        case .integer(let min, let max): return .int(Int64.random(in: min...max, using: &rng))
        case .number(let min, let max): return .double(Double.random(in: min...max, using: &rng))
        case .boolean: return .bool(Bool.random(using: &rng))
        case .date:
            return .string(
                String(
                    format: "%04d-%02d-%02d", Int.random(in: 1990...2040, using: &rng),
                    Int.random(in: 1...12, using: &rng), Int.random(in: 1...28, using: &rng)))
        case .dateTime: return .string("2026-0\(Int.random(in: 1...9, using: &rng))-15T10:20:30Z")
        case .enumeration(let cases): return .string(cases.randomElement(using: &rng)!)
        case .url: return .string("https://example.com/\(Int.random(in: 0...999, using: &rng))")
        case .email: return .string("someone\(Int.random(in: 0...99, using: &rng))@example.com")
        case .currency: return .string(["EUR", "USD", "CHF"].randomElement(using: &rng)!)
        case .reference: return .string("rec-\(Int.random(in: 0...99, using: &rng))")
        case .references: return .array((0..<Int.random(in: 0...3, using: &rng)).map { .string("rec-\($0)") })
        case .tags: return .array((0..<Int.random(in: 0...3, using: &rng)).map { .string("tag\($0)") })
        case .object(let children):
            var members: [String: JSONValue] = [:]
            for child in children where Bool.random(using: &rng) { members[child.name] = valid(child.type, &rng) }
            return .object(members)
        }
    }

    /// A value the field must refuse.
    private static func invalid(_ type: FieldType, _ rng: inout SplitMix64) -> JSONValue {
        switch type {
        case .line(let max), .text(let max):
            return [
                .int(1), .bool(true), .array([]), .string(String(repeating: "x", count: max + 1)), .string("a\u{0}b"),
            ]
            .randomElement(using: &rng)!
        case .integer(let min, let max):
            return [.string("1"), .int(max &+ 1), .int(min &- 1), .double(0.5), .bool(false)].randomElement(
                using: &rng)!
        case .number(let min, _): return [.string("1"), .double(min - 1), .bool(true)].randomElement(using: &rng)!
        case .boolean: return [.string("true"), .int(1)].randomElement(using: &rng)!
        case .date: return [.string("2026-02-30"), .string("yesterday"), .int(20_260_101)].randomElement(using: &rng)!
        case .dateTime: return [.string("2026-01-01"), .string("noon"), .int(0)].randomElement(using: &rng)!
        case .enumeration: return [.string("not-a-case"), .int(0)].randomElement(using: &rng)!
        case .url: return [.string("ftp://x"), .string("javascript:alert(1)"), .int(1)].randomElement(using: &rng)!
        case .email: return [.string("no-at-sign"), .int(1)].randomElement(using: &rng)!
        case .currency: return [.string("eur"), .string("EURO"), .int(978)].randomElement(using: &rng)!
        case .reference: return [.string("has space"), .int(7), .array([])].randomElement(using: &rng)!
        case .references: return [.string("x"), .array([.int(1)])].randomElement(using: &rng)!
        case .tags: return [.string("x"), .array([.int(1)])].randomElement(using: &rng)!
        case .object: return [.string("x"), .array([]), .int(1)].randomElement(using: &rng)!
        }
    }

    @Test func mergePatchValidationNamesEveryBadFieldAndAcceptsTheRest() {
        var rng = SplitMix64(seed: 0xF022_0004)
        let count = 3000 * Self.scale
        var refused = 0
        for _ in 0..<count {
            let collection = Catalog.all.randomElement(using: &rng)!
            var patch: [String: JSONValue] = [:]
            var bad: Set<String> = []
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0:
                    let key = BodyValidator.serverFields.randomElement(using: &rng)!
                    patch[key] = .string("x")
                    bad.insert(key)
                case 1:
                    let key = "unknown_\(Int.random(in: 0...9, using: &rng))"
                    patch[key] = Self.value(&rng, depth: 1)
                    bad.insert(key)
                default:
                    let field = collection.fields.randomElement(using: &rng)!
                    let roll = Int.random(in: 0..<6, using: &rng)
                    if roll == 0 {
                        patch[field.name] = .null
                        if field.required || field.readOnly { bad.insert(field.name) } else { bad.remove(field.name) }
                    } else if roll == 1 {
                        patch[field.name] = Self.invalid(field.type, &rng)
                        bad.insert(field.name)
                    } else {
                        patch[field.name] = Self.valid(field.type, &rng)
                        if field.readOnly { bad.insert(field.name) } else { bad.remove(field.name) }
                    }
                }
            }
            switch BodyValidator.validatePatch(.object(patch), in: collection) {
            case .success(let leaves):
                #expect(bad.isEmpty, "\(collection.name) accepted \(patch) despite \(bad)")
                #expect(Set(leaves.keys).isSubset(of: Set(collection.leaves.map(\.name))))
            case .failure(let failure):
                refused += 1
                // Every error is about a key of the patch (or inside one), and every bad key has its error.
                let named = Set(failure.errors.map { String($0.field.split(separator: ".").first ?? "") })
                #expect(named.isSubset(of: Set(patch.keys)), "\(failure.errors) for \(patch)")
                #expect(bad.isSubset(of: named), "\(collection.name): \(bad) not all named in \(failure.errors)")
                // What is left once the named keys are removed is a valid patch.
                let rest = patch.filter { !named.contains($0.key) }
                if case .failure(let again) = BodyValidator.validatePatch(.object(rest), in: collection) {
                    Issue.record("\(collection.name): the rest of \(patch) is still refused: \(again.errors)")
                }
            }
        }
        #expect(refused > count / 10 && refused < count)
        print("merge-patch validation: \(count) patches over \(Catalog.all.count) collections, \(refused) refused")
    }
}
