import GRDB
import Model

/// One read transaction on a reader connection: every query of a request sees the same snapshot. Must not escape
/// ``Store/read(_:)``.
public struct ReadSession {
    let db: Database

    public func record(_ collection: CollectionSpec, id: String) throws -> StoredRecord? {
        try Queries.record(db, collection: collection.name, id: id)
    }

    public func list(_ collection: CollectionSpec, _ query: ListQuery) throws -> ListPage {
        try Queries.list(db, collection: collection, query: query)
    }

    /// The token whose SHA-256 hash (hex) is `hash`, or nil.
    func token(hash: String) throws -> TokenInfo? {
        let statement = try db.cachedStatement(
            sql: "SELECT name, scope, created_at, last_used_at, hash FROM tokens WHERE hash = ?")
        guard let row = try statement.firstRow(texts: hash, columns: 5), let name = row[0], let scopeText = row[1],
            let createdAt = row[2], let stored = row[4], Tokens.constantTimeEquals(stored, hash),
            let scope = TokenScope(rawValue: scopeText)
        else { return nil }
        return TokenInfo(name: name, scope: scope, createdAt: createdAt, lastUsedAt: row[3])
    }
}
