import GRDB
import Model

/// A live record cut down to the leaves a view asked for, extracted in SQL.
public struct ProjectedRecord: Sendable, Equatable {
    public let id: String
    /// The requested leaves by cell name (`compensation.currency`); a missing leaf is `.null`.
    public let values: [String: JSONValue]

    public init(id: String, values: [String: JSONValue]) {
        self.id = id
        self.values = values
    }

    public subscript(_ leaf: String) -> JSONValue { values[leaf] ?? .null }
}

/// Reads for the computed views (readiness, briefing, export, prep sheet): whole collections, in
/// id order, either as the stored documents or projected to a few leaves.
extension ReadSession {
    /// The stored JSON documents of a collection's live records, ordered by id (byte order), that
    /// match every filter (leaf name → value; `.null` matches a null or missing leaf).
    public func documents(_ collection: CollectionSpec, where filters: [String: JSONValue] = [:]) throws -> [String] {
        var sql = "SELECT body FROM records WHERE collection = ? AND body IS NOT NULL"
        var arguments: StatementArguments = [collection.name]
        for name in filters.keys.sorted() {
            let path = try Self.jsonPath(collection, name)
            let value = filters[name]!
            if value.isNull {
                sql += " AND body ->> '\(path)' IS NULL"
            } else {
                sql += " AND body ->> '\(path)' = ?"
                arguments += [Queries.databaseValue(value)]
            }
        }
        sql += " ORDER BY id"
        return try String.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    /// Calls `body` with each stored document of a collection's live records, in id order, without
    /// holding them all in memory.
    public func forEachDocument(_ collection: CollectionSpec, _ body: (String) throws -> Void) throws {
        let cursor = try String.fetchCursor(
            db.cachedStatement(sql: "SELECT body FROM records WHERE collection = ? AND body IS NOT NULL ORDER BY id"),
            arguments: [collection.name])
        while let document = try cursor.next() { try body(document) }
    }

    /// How many live records each collection holds.
    public func liveCounts() throws -> [String: Int] {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT collection, count(*) FROM records WHERE body IS NOT NULL GROUP BY collection"))
        var counts: [String: Int] = [:]
        for row in rows { counts[row[0]] = row[1] }
        return counts
    }

    /// The live records of a collection, in id order, each with only the named leaves.
    ///
    /// The leaves are extracted by SQLite (`->>`), so a view reads a few fields of thousands of
    /// records without parsing their documents in Swift.
    public func project(_ collection: CollectionSpec, _ leaves: [String]) throws -> [ProjectedRecord] {
        var columns = ["id"]
        var specs: [FieldSpec] = []
        for name in leaves {
            let path = try Self.jsonPath(collection, name)
            let spec = collection.leaf(name)!
            specs.append(spec)
            switch spec.type {
            case .references, .tags: columns.append("body -> '\(path)'")
            default: columns.append("body ->> '\(path)'")
            }
        }
        let sql =
            "SELECT \(columns.joined(separator: ", ")) FROM records "
            + "WHERE collection = ? AND body IS NOT NULL ORDER BY id"
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: [collection.name])
        var out: [ProjectedRecord] = []
        while let row = try cursor.next() {
            var values: [String: JSONValue] = [:]
            values.reserveCapacity(specs.count)
            for (index, spec) in specs.enumerated() {
                values[spec.name] = try Self.value(row[index + 1] as DatabaseValue, type: spec.type)
            }
            out.append(ProjectedRecord(id: row[0], values: values))
        }
        return out
    }

    /// `$.field` or `$.parent.child` for a leaf of the catalog (never user text: the names are checked).
    private static func jsonPath(_ collection: CollectionSpec, _ leaf: String) throws -> String {
        guard collection.leaf(leaf) != nil else {
            throw StorageError.database("\(collection.name) has no leaf \(leaf)")
        }
        return "$." + leaf
    }

    private static func value(_ value: DatabaseValue, type: FieldType) throws -> JSONValue {
        switch (value.storage, type) {
        case (.null, _): return .null
        case (.int64(let i), .boolean): return .bool(i != 0)
        case (.string(let text), .references), (.string(let text), .tags): return try StoredJSON.parse(text)
        default: return Queries.jsonValue(value)
        }
    }
}
