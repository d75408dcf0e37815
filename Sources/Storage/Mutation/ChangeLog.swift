import GRDB
import Model
import Sync

/// The append-only log of applied writes; its `seq` is the cursor peers sync from.
enum ChangeLog {
    /// Appends the cells of one write (one record, one clock reading) and returns its sequence.
    /// `source` is the replica the cells were received from, nil when written here.
    static func append(
        _ db: Database, collection: CollectionSpec, id: String, key: CellKey, cells: [String: JSONValue],
        source: NodeID?
    ) throws -> Int64 {
        try db.cachedStatement(
            sql: """
                INSERT INTO change_log (collection, record_id, cl, hlc, node, cells, source)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            collection.name, id, key.cl, Int64(bitPattern: key.hlc.rawValue), key.node.hex,
            cellsText(cells, of: collection), source?.hex,
        ])
        return db.lastInsertedRowID
    }

    /// `cells` as canonical JSON, the collection's names in their order (``CanonicalCells``) rather than sorted again.
    static func cellsText(_ cells: [String: JSONValue], of collection: CollectionSpec) -> String {
        let writer = JSONWriter()
        var out: [UInt8] = []
        out.reserveCapacity(64 + 64 * cells.count)
        out.append(UInt8(ascii: "{"))
        var written = 0
        for (name, literal) in CanonicalCells.of(collection).names {
            guard let value = cells[name] else { continue }
            if written > 0 { out.append(UInt8(ascii: ",")) }
            written += 1
            out.append(contentsOf: literal)
            out.append(UInt8(ascii: ":"))
            writer.write(value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        // A cell the collection does not name (none should be): let the writer sort them all.
        guard written == cells.count else { return writer.string(.object(cells)) }
        return String(decoding: out, as: UTF8.self)
    }
}
