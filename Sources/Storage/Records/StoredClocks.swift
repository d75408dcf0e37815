import Model
import Sync

/// The `clocks` column of `records`: the key of each cell of the record's current life, grouped by key,
/// `{"cl:hlc:node": ["field", ...], ...}`.
///
/// A create writes every field with one key and a patch a few with another, so a record has one key or a few:
/// naming each key once keeps a story's column at 160 bytes, against 640 for one key per field (the form of
/// schema v1 and v2, converted by migration v3). That is a fifth less to write per create. Keys are in
/// ``CellKey`` order and fields in UTF-8 order, so equal cells give equal text.
enum StoredClocks {
    static func encode(_ keys: some Sequence<(field: String, key: CellKey)>) -> String {
        var groups: [CellKey: [String]] = [:]
        for (field, key) in keys { groups[key, default: []].append(field) }
        var out: [UInt8] = []
        out.reserveCapacity(16 + 72 * groups.count)
        out.append(UInt8(ascii: "{"))
        for (i, key) in groups.keys.sorted().enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            key.appendDescription(into: &out)
            out.append(contentsOf: #"":["#.utf8)
            for (j, field) in groups[key]!.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendEscapedString(field, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Each field's key; `record` names the row in the error should the text be corrupt.
    static func decode(_ text: String, record: @autoclosure () -> String) throws -> [String: CellKey] {
        guard let groups = try StoredJSON.parse(text).objectValue else {
            throw StorageError.database("corrupt clocks for \(record())")
        }
        var keys: [String: CellKey] = [:]
        for (keyText, fields) in groups {
            guard let key = CellKey(Substring(keyText)), let fields = fields.arrayValue else {
                throw StorageError.database("corrupt cell key \(keyText) for \(record())")
            }
            for field in fields {
                guard let field = field.stringValue else { throw StorageError.database("corrupt clocks for \(record())") }
                keys[field] = key
            }
        }
        return keys
    }
}
