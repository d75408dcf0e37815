/// Writes an ``OrderedJSON`` tree as block-style YAML that reads well and always parses back to the
/// same tree (YAML 1.1 and 1.2 loaders alike).
///
/// Mappings and sequences are written in block style with two-space indentation, keys in the order of
/// the tree; a short list of scalars stays on its key's line in flow style (`type: [string, "null"]`).
/// A string is written plain only when no loader could take it for anything else (a number, a
/// boolean, null, an indicator); a multi-line string becomes a literal block (`|-`, or `|` when it
/// ends with one line break); every other string is double-quoted with JSON escapes, which YAML's
/// double-quoted style understands.
struct YAMLWriter: Sendable {
    /// The longest line a flow-style list may make.
    var flowLineLimit = 100

    /// The document, ending with a newline.
    func string(_ value: OrderedJSON) -> String {
        var lines: [String]
        switch value {
        case .object(let members) where !members.isEmpty: lines = mappingLines(members, indent: 0)
        case .array(let items) where !items.isEmpty: lines = sequenceLines(items, indent: 0)
        default:
            lines = [Self.inline(value) ?? Self.quoted(value.stringValue ?? "")]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func mappingLines(_ members: [OrderedJSON.Member], indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        for member in members {
            let key = Self.scalar(member.key)
            if let inline = Self.inline(member.value) {
                lines.append("\(pad)\(key): \(inline)")
            } else if let flow = Self.flow(member.value), pad.count + key.count + 2 + flow.count <= flowLineLimit {
                lines.append("\(pad)\(key): \(flow)")
            } else if case .string(let text) = member.value, let literal = Self.literal(text) {
                lines.append("\(pad)\(key): \(literal.indicator)")
                lines += Self.literalLines(literal.body, indent: indent + 2)
            } else {
                lines.append("\(pad)\(key):")
                lines += blockLines(member.value, indent: indent + 2)
            }
        }
        return lines
    }

    private func sequenceLines(_ items: [OrderedJSON], indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        for item in items {
            if let inline = Self.inline(item) {
                lines.append("\(pad)- \(inline)")
            } else if case .string(let text) = item, let literal = Self.literal(text) {
                lines.append("\(pad)- \(literal.indicator)")
                lines += Self.literalLines(literal.body, indent: indent + 2)
            } else {
                // The item's block, with its first line's indentation replaced by the dash.
                var block = blockLines(item, indent: indent + 2)
                block[0] = pad + "- " + block[0].dropFirst(indent + 2)
                lines += block
            }
        }
        return lines
    }

    /// A non-empty mapping or sequence.
    private func blockLines(_ value: OrderedJSON, indent: Int) -> [String] {
        switch value {
        case .object(let members): return mappingLines(members, indent: indent)
        case .array(let items): return sequenceLines(items, indent: indent)
        default: return []
        }
    }

    /// The value on one line, or nil when it needs a block (a non-empty collection, a literal string).
    private static func inline(_ value: OrderedJSON) -> String? {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return double(d)
        case .string(let s): return literal(s) == nil ? scalar(s) : nil
        case .array(let items): return items.isEmpty ? "[]" : nil
        case .object(let members): return members.isEmpty ? "{}" : nil
        }
    }

    /// A non-empty list of one-line scalars as a flow sequence; nil for anything else.
    private static func flow(_ value: OrderedJSON) -> String? {
        guard case .array(let items) = value, !items.isEmpty else { return nil }
        var parts: [String] = []
        for item in items {
            switch item {
            case .array, .object: return nil
            case .string(let s):
                if literal(s) != nil { return nil }
                // Flow context adds its own indicators to the ones plain scalars avoid.
                let plain = isPlainSafe(s) && !s.unicodeScalars.contains { ",[]{}:#".unicodeScalars.contains($0) }
                parts.append(plain ? s : quoted(s))
            default: parts.append(inline(item)!)
            }
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }

    /// A string as a plain scalar when that is unambiguous, else double-quoted.
    static func scalar(_ s: String) -> String {
        isPlainSafe(s) ? s : quoted(s)
    }

    /// A float that every loader reads as a float (YAML 1.1 wants a dot).
    private static func double(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? ".nan" : (d > 0 ? ".inf" : "-.inf") }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        var text = String(d)
        if !text.contains("."), let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            text.insert(contentsOf: ".0", at: e)
        }
        return text
    }

    private static let reservedWords: Set<String> = [
        "true", "false", "yes", "no", "y", "n", "on", "off", "null", "~",
    ]

    /// Plain only for strings that start with a letter, `/`, `_` or `$`, hold no character that would
    /// need an escape, no `: ` or ` #` (nor a final `:`), and that no loader reads as a boolean or null.
    private static func isPlainSafe(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last, last != " ", last != ":" else { return false }
        guard isLetter(first) || first == "/" || first == "_" || first == "$" else { return false }
        guard !reservedWords.contains(s.lowercased()) else { return false }
        for (i, c) in scalars.enumerated() {
            if needsEscape(c) { return false }
            if c == ":", scalars[i + 1] == " " { return false }
            if c == "#", scalars[i - 1] == " " { return false }
        }
        return true
    }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    /// How a multi-line string is written as a literal block: `|-` (strip) keeps the text exactly,
    /// `|` (clip) adds back the one line break it ends with. Nil when a literal block cannot hold it.
    private static func literal(_ s: String) -> (indicator: String, body: String)? {
        if isLiteralBlock(s) { return ("|-", s) }
        if s.hasSuffix("\n"), case let body = String(s.dropLast()), isLiteralBlock(body) { return ("|", body) }
        return nil
    }

    /// A multi-line string whose lines a literal block keeps exactly: no trailing newline, no
    /// leading space, only printable characters, and no line of spaces alone.
    private static func isLiteralBlock(_ s: String) -> Bool {
        guard s.contains("\n"), !s.hasSuffix("\n"), !s.hasPrefix(" "), !s.hasPrefix("\n") else { return false }
        guard s.unicodeScalars.allSatisfy({ $0 == "\n" || !needsEscape($0) }) else { return false }
        return s.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { line in
            line.isEmpty || !line.allSatisfy { $0 == " " }
        }
    }

    private static func literalLines(_ s: String, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        return s.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
    }

    /// Characters a YAML double-quoted scalar cannot hold as they are: C0 and C1 controls, DEL, the
    /// line and paragraph separators and the byte order mark.
    private static func needsEscape(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0x2028 || v == 0x2029 || v == 0xFEFF
    }

    /// Double-quoted with JSON's escapes (a subset of YAML's).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if needsEscape(c) {
                    let hex = String(c.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}
