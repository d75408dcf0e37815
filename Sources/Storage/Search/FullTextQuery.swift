/// Turns what a person typed into an FTS5 `MATCH` expression that cannot fail.
///
/// Every word becomes a quoted FTS5 string (`"word"`, embedded quotes doubled), so quotes, `*`,
/// `NEAR`, `AND`, parentheses, `:` and `-` are just characters of words; the words are ANDed.
/// A trailing `*` on a word keeps its meaning, a prefix query (`"deplo"*`). Words with no letter or
/// digit are dropped (FTS5's tokenizer would drop them anyway, and an empty string is an error).
/// See <https://sqlite.org/fts5.html#full_text_query_syntax>.
public enum FullTextQuery {
    /// The sanitized expression, or nil when the input has no searchable word.
    public static func words(_ input: String) -> String? {
        var terms: [String] = []
        for raw in input.split(whereSeparator: { $0.isWhitespace }) {
            var word = Substring(raw)
            var prefix = false
            while word.hasSuffix("*") {
                prefix = true
                word = word.dropLast()
            }
            guard
                word.unicodeScalars.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil })
            else { continue }
            let quoted = "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            terms.append(prefix ? quoted + "*" : quoted)
        }
        return terms.isEmpty ? nil : terms.joined(separator: " ")
    }

    /// Whether the input uses FTS5 syntax on purpose (phrases, operators, prefixes, grouping), so
    /// that it is worth trying as written before falling back to ``words(_:)``.
    public static func looksLikeSyntax(_ input: String) -> Bool {
        if input.contains(where: { "\"*()^:+".contains($0) }) { return true }
        let tokens = input.split(whereSeparator: { $0.isWhitespace })
        return tokens.contains { ["AND", "OR", "NOT"].contains($0) || $0.hasPrefix("NEAR(") || $0 == "NEAR" }
    }
}
