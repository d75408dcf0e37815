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
        let names = CanonicalCells.of(collection).names
        let (text, listed) = render(keys.sorted(), capacity: 80 * keys.count + 16 * cells.count) { key, out in
            var written = 0
            for (name, literal) in names where cells[name]?.key == key {
                if written > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: literal)
                written += 1
            }
            return written
        }
        // A cell the collection does not name (none should be): sort them all.
        guard listed == cells.count else { return encode(cells.lazy.map { (field: $0.key, key: $0.value.key) }) }
        return text
    }

    static func encode(_ keys: some Sequence<(field: String, key: CellKey)>) -> String {
        // Sorted by key, then by field, the groups are runs: no dictionary of keys to hash.
        let sorted = keys.sorted { a, b in a.key != b.key ? a.key < b.key : utf8Precedes(a.field, b.field) }
        var groups: [CellKey] = []
        for cell in sorted where cell.key != groups.last { groups.append(cell.key) }
        var next = 0
        return render(groups, capacity: 80 + 16 * sorted.count) { key, out in
            let start = next
            while next < sorted.count, sorted[next].key == key {
                if next > start { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendEscapedString(sorted[next].field, into: &out)
                next += 1
            }
            return next - start
        }.text
    }

    /// `{"key":[fields],...}` with `keys` in the order given; `appendFields` writes one key's fields, JSON strings
    /// separated by commas, and returns how many it wrote (`fields` adds them up).
    private static func render(
        _ keys: [CellKey], capacity: Int, appendFields: (CellKey, inout [UInt8]) -> Int
    ) -> (text: String, fields: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        out.append(UInt8(ascii: "{"))
        var fields = 0
        for (index, key) in keys.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            key.appendDescription(into: &out)
            out.append(contentsOf: #"":["#.utf8)
            fields += appendFields(key, &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        return (String(decoding: out, as: UTF8.self), fields)
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
