import GRDB
import Model

/// One read transaction on a reader connection: a request's token check and its query see the
/// same snapshot and cost one trip to the pool. Must not escape ``Store/read(_:)``.
public struct ReadSession {
    let db: Database

    public func record(_ collection: CollectionSpec, id: String) throws -> StoredRecord? {
        try Queries.record(db, collection: collection.name, id: id)
    }

    public func list(_ collection: CollectionSpec, _ query: ListQuery) throws -> ListPage {
        try Queries.list(db, collection: collection, query: query)
    }

    /// The token whose SHA-256 hash (hex) is `hash`, or nil.
    public func token(hash: String) throws -> TokenInfo? {
        let statement = try db.cachedStatement(
            sql: "SELECT name, scope, created_at, last_used_at, hash FROM tokens WHERE hash = ?")
        guard let row = try Row.fetchOne(statement, arguments: [hash]), Tokens.constantTimeEquals(row[4], hash),
            let scope = TokenScope(rawValue: row[1])
        else { return nil }
        return TokenInfo(name: row[0], scope: scope, createdAt: row[2], lastUsedAt: row[3])
    }
}
