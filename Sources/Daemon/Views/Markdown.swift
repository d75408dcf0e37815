/// Builds CommonMark (GitHub-flavoured) documents from user text that must never break the page.
///
/// Everything a user wrote goes through ``inline(_:)`` or ``paragraphs(_:)``: characters that
/// CommonMark or GFM could read as markup (`\` `` ` `` `*` `_` `[` `]` `<` `>` `#` `|` `~` `&` `!`)
/// are backslash-escaped (CommonMark §2.4 allows that for any ASCII punctuation), and so are the
/// line starts that open a block (`-`, `+`, `=`, `1.`, `1)`). Only the structure this type writes
/// itself is markup. See <https://spec.commonmark.org/0.31.2/#backslash-escapes>.
struct Markdown {
    private(set) var text = ""

    /// ASCII bytes escaped wherever they appear in user text.
    private static let alwaysEscaped: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for c in "\\`*_[]<>#|~&!".utf8 { table[Int(c)] = true }
        return table
    }()

    // MARK: Escaping (on UTF-8 bytes: every escaped character is ASCII, and user text can be long)

    /// User text on one line (a heading, a list item, a table cell): line breaks become spaces.
    static func inline(_ raw: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.utf8.count + 8)
        var raw = raw
        raw.withUTF8 { appendInline($0[...], into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// User text of several lines: blank lines separate paragraphs, other line breaks are kept as
    /// hard breaks, and no line can open a list, quote, heading, code block or table.
    static func paragraphs(_ raw: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.utf8.count + 16)
        var raw = raw
        raw.withUTF8 { bytes in
            var lineStart = 0
            var pendingBreak: [UInt8] = []
            var i = 0
            while i <= bytes.count {
                let atEnd = i == bytes.count
                guard atEnd || bytes[i] == 0x0A || bytes[i] == 0x0D else {
                    i += 1
                    continue
                }
                let before = out.count
                let mark = out.count
                out.append(contentsOf: pendingBreak)
                let lineBegin = out.count
                appendInline(bytes[lineStart..<i], into: &out)
                if out.count == lineBegin {
                    // A blank line: the next text starts a new paragraph (unless nothing came yet).
                    out.removeSubrange(mark...)
                    if before > 0 { pendingBreak = [0x0A, 0x0A] }
                } else {
                    // Text: the next line follows after a hard break, unless a blank line intervenes.
                    pendingBreak = [UInt8(ascii: "\\"), 0x0A]
                }
                if !atEnd, bytes[i] == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                i += 1
                lineStart = i
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one line of user text, escaped, trimmed, with line breaks and tabs as single spaces.
    private static func appendInline(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, into out: inout [UInt8]) {
        let start = out.count
        var pendingSpace = false
        for byte in bytes {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C {
                pendingSpace = out.count > start
                continue
            }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            if byte < 0x80, alwaysEscaped[Int(byte)] { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        escapeBlockStart(&out, from: start)
    }

    /// Escapes what would open a block at the start of a line: `-`, `+`, `=` and ordered-list markers.
    private static func escapeBlockStart(_ out: inout [UInt8], from start: Int) {
        guard start < out.count else { return }
        let first = out[start]
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: "=") {
            out.insert(UInt8(ascii: "\\"), at: start)
            return
        }
        var i = start
        while i < out.count, out[i] >= 0x30, out[i] <= 0x39 { i += 1 }
        if i > start, i - start <= 9, i < out.count, out[i] == UInt8(ascii: ".") || out[i] == UInt8(ascii: ")") {
            out.insert(UInt8(ascii: "\\"), at: i)
        }
    }

    /// An http(s) URL as an autolink when it can be one, else as escaped text.
    static func link(_ url: String) -> String {
        let safe = !url.utf8.contains { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 <= 0x20 || $0 == 0x7F }
        return safe ? "<\(url)>" : inline(url)
    }

    // MARK: Building

    /// `#`-heading (level 1–6) with user text.
    mutating func heading(_ level: Int, _ title: String) {
        block(String(repeating: "#", count: level) + " " + nonEmpty(Self.inline(title)))
    }

    /// A paragraph of user text (possibly several).
    mutating func paragraph(_ raw: String?) {
        guard let raw, !raw.isBlank else { return }
        block(Self.paragraphs(raw))
    }

    /// A labelled passage of user text: `**Label.** text`, or nothing when the text is empty.
    mutating func labelled(_ label: String, _ raw: String?) {
        guard let raw, !raw.isBlank else { return }
        block("**\(label).** " + Self.paragraphs(raw))
    }

    /// Markdown this type (or its caller) wrote: trusted, written as is, as its own block.
    mutating func block(_ markdown: String) {
        if !text.isEmpty { text += "\n" }
        text += markdown + "\n"
    }

    /// A bullet list; each item is trusted Markdown (build it with ``inline(_:)``).
    mutating func list(_ items: [String]) {
        guard !items.isEmpty else { return }
        block(items.map { "- " + $0 }.joined(separator: "\n"))
    }

    /// A table; cells are trusted Markdown (build them with ``inline(_:)``, which escapes `|`).
    mutating func table(_ header: [String], _ rows: [[String]]) {
        guard !rows.isEmpty else { return }
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in " --- |" }.joined()]
        for row in rows { lines.append("| " + row.map { $0.isEmpty ? " " : $0 }.joined(separator: " | ") + " |") }
        block(lines.joined(separator: "\n"))
    }

    /// An italic note in the project's own words (not user text).
    mutating func note(_ words: String) {
        block("_\(words)_")
    }

    private func nonEmpty(_ s: String) -> String { s.isEmpty ? "(untitled)" : s }
}
