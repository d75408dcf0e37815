import Foundation
import GRDB
import Model
import Sync

/// A response kept for an `Idempotency-Key`, so a retried POST gets the first answer back.
public struct SavedResponse: Sendable, Equatable {
    public let status: Int
    public let location: String?
    public let etag: String?
    public let body: [UInt8]

    public init(status: Int, location: String?, etag: String?, body: [UInt8]) {
        self.status = status
        self.location = location
        self.etag = etag
        self.body = body
    }
}

public enum IdempotencyLookup: Sendable, Equatable {
    case new
    case replay(SavedResponse)
    /// The key was used before for a different request.
    case mismatch
}

extension MutationSession {
    /// How long a key is remembered.
    static let idempotencyWindowMillis: Int64 = 24 * 3600 * 1000

    public func idempotentResponse(token: String, key: String, requestHash: String) throws -> IdempotencyLookup {
        let statement = try db.cachedStatement(
            sql: """
                SELECT request_hash, status, location, etag, body FROM idempotency_keys
                WHERE token = ? AND key = ? AND created_ms >= ?
                """)
        let horizon = Int64(HybridClockMillis.now()) - Self.idempotencyWindowMillis
        guard let row = try Row.fetchOne(statement, arguments: [token, key, horizon]) else { return .new }
        guard row[0] as String == requestHash else { return .mismatch }
        return .replay(SavedResponse(status: row[1], location: row[2], etag: row[3], body: [UInt8](row[4] as Data)))
    }

    public func saveIdempotentResponse(token: String, key: String, requestHash: String, _ response: SavedResponse)
        throws
    {
        let now = Int64(HybridClockMillis.now())
        try db.cachedStatement(sql: "DELETE FROM idempotency_keys WHERE created_ms < ?")
            .execute(arguments: [now - Self.idempotencyWindowMillis])
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO idempotency_keys
                (token, key, request_hash, status, location, etag, body, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            token, key, requestHash, response.status, response.location, response.etag, Data(response.body), now,
        ])
    }
}

enum HybridClockMillis {
    static func now() -> UInt64 { HybridClock.wallMillis() }
}
