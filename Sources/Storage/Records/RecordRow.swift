import GRDB
import Model
import Sync

/// A row of `records`: a record's merge state, as stored.
struct RecordRow {
    /// The row's rowid; nil until first saved.
    var rowID: Int64?
    let collection: CollectionSpec
    let id: String
    var state: RecordState
    /// The stored version while alive.
    var version: String?

    static func load(_ db: Database, _ collection: CollectionSpec, id: String) throws -> RecordRow? {
        let statement = try db.cachedStatement(
            sql: "SELECT rowid, cl, clocks, body, version FROM records WHERE collection = ? AND id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [collection.name, id]) else { return nil }
        let cl: Int64 = row[1]
        let clocksText: String = row[2]
        let bodyText: String? = row[3]
        let values = try bodyText.map { RecordDocument.leafValues(of: try StoredJSON.parse($0), in: collection) } ?? [:]
        var cells: [String: RecordState.Cell] = [:]
        for (field, key) in try StoredClocks.decode(clocksText, record: "\(collection.name)/\(id)") {
            let value: JSONValue =
                field == Change.existenceField ? .bool(cl % 2 == 1) : values[field] ?? .null
            cells[field] = RecordState.Cell(value: value, key: key)
        }
        return RecordRow(
            rowID: row[0], collection: collection, id: id, state: RecordState(cl: cl, cells: cells),
            version: row[4])
    }

    static func new(_ collection: CollectionSpec, id: String) -> RecordRow {
        // Room for every leaf and the existence cell: a create fills them all.
        let state = RecordState(cells: .init(minimumCapacity: collection.leaves.count + 1))
        return RecordRow(rowID: nil, collection: collection, id: id, state: state, version: nil)
    }

    /// Writes the row; returns the rendered document while the record is alive.
    @discardableResult
    mutating func save(_ db: Database) throws -> RecordDocument? {
        let clocksText = StoredClocks.encode(state.cells, of: collection)
        let document = state.isAlive ? RecordDocument(collection: collection, id: id, state: state) : nil
        version = document?.version
        let arguments: StatementArguments = [
            state.cl, clocksText, document?.body, document?.version,
            document.map { Int64(bitPattern: $0.createdHLC.rawValue) },
            document.map { Int64(bitPattern: $0.updatedHLC.rawValue) },
        ]
        if let rowID {
            let statement = try db.cachedStatement(
                sql: """
                    UPDATE records SET cl = ?, clocks = ?, body = ?, version = ?, created_hlc = ?, updated_hlc = ?
                    WHERE rowid = ?
                    """)
            try statement.execute(arguments: arguments + [rowID])
        } else {
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO records (cl, clocks, body, version, created_hlc, updated_hlc, collection, id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            try statement.execute(arguments: arguments + [collection.name, id])
            rowID = db.lastInsertedRowID
        }
        return document
    }
}

/// JSON read back from the database, where a parse failure means corruption, not bad input.
enum StoredJSON {
    static func parse(_ text: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(text)
        } catch {
            throw StorageError.database("corrupt JSON in the database: \(error.message)")
        }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw StorageError.database("corrupt JSON in the database: \(error.message)")
        }
    }
}
