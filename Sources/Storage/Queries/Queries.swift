import GRDB
import Model

/// Reads of records. Everything here runs inside a read (or the writer's) transaction.
enum Queries {
    static func record(_ db: Database, collection: String, id: String) throws -> StoredRecord? {
        let statement = try db.cachedStatement(
            sql: "SELECT body, version FROM records WHERE collection = ? AND id = ? AND body IS NOT NULL")
        guard let row = try statement.firstRow(texts: collection, id, columns: 2), let body = row[0],
            let version = row[1]
        else { return nil }
        return StoredRecord(collection: collection, id: id, body: body, version: version)
    }

    static func isAlive(_ db: Database, collection: String, id: String) throws -> Bool {
        let statement = try db.cachedStatement(
            sql: "SELECT 1 FROM records WHERE collection = ? AND id = ? AND body IS NOT NULL")
        return try Int.fetchOne(statement, arguments: [collection, id]) != nil
    }
}
