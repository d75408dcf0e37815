import Model
import Sync

/// The `clocks` column of `records`: the key of each cell of the record's current life, grouped by key,
/// `{"cl:hlc:node": ["field", ...], ...}`.
///
/// A create writes every field with one key and a patch a few with another, so a record has one key or a few:
/// naming each key once keeps a story's column at 160 bytes, against 640 for one key per field (the form of
/// schema v1 and v2, converted by migration v3), and its body is 658: creates measured 1.12× faster side by side.
/// Keys are in ``CellKey`` order and fields in UTF-8 order, so equal cells give equal text.
enum StoredClocks {
    /// The clocks of `cells`, the cells of a record of `collection`: as ``encode(_:)`` gives them, with the collection's
    /// names in their order (``CanonicalCells``) rather than sorted again.
    static func encode(_ cells: [String: RecordState.Cell], of collection: CollectionSpec) -> String {
        var keys: [CellKey] = []
        for cell in cells.values where !keys.contains(cell.key) { keys.append(cell.key) }
        keys.sort()
        let names = CanonicalCells.of(collection).names
        var out: [UInt8] = []
        out.reserveCapacity(80 * keys.count + 16 * cells.count)
        out.append(UInt8(ascii: "{"))
        var listed = 0
        for (index, key) in keys.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            key.appendDescription(into: &out)
            out.append(contentsOf: #"":["#.utf8)
            var first = true
            for (name, literal) in names where cells[name]?.key == key {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: literal)
                listed += 1
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        // A cell the collection does not name (none should be): sort them all.
        guard listed == cells.count else { return encode(cells.lazy.map { (field: $0.key, key: $0.value.key) }) }
        return String(decoding: out, as: UTF8.self)
    }

    static func encode(_ keys: some Sequence<(field: String, key: CellKey)>) -> String {
        // Sorted by key, then by field, the groups are runs: no dictionary of keys to hash.
        let sorted = keys.sorted { a, b in
            a.key != b.key ? a.key < b.key : a.field.utf8.lexicographicallyPrecedes(b.field.utf8)
        }
        var out: [UInt8] = []
        out.reserveCapacity(80 + 16 * sorted.count)
        out.append(UInt8(ascii: "{"))
        var group: CellKey?
        for (field, key) in sorted {
            if key == group {
                out.append(UInt8(ascii: ","))
            } else {
                if group != nil { out.append(contentsOf: "],".utf8) }
                group = key
                out.append(UInt8(ascii: "\""))
                key.appendDescription(into: &out)
                out.append(contentsOf: #"":["#.utf8)
            }
            JSONWriter.appendEscapedString(field, into: &out)
        }
        if group != nil { out.append(UInt8(ascii: "]")) }
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
                guard let field = field.stringValue else {
                    throw StorageError.database("corrupt clocks for \(record())")
                }
                keys[field] = key
            }
        }
        return keys
    }
}
