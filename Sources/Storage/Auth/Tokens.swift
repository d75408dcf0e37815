import Foundation
import GRDB
import Model

/// What a token may do.
public enum TokenScope: String, Sendable, CaseIterable, Codable {
    /// Read the dataset and its views.
    case read
    /// Read and write everything, sync included.
    case write
    /// Sync with this replica and nothing more.
    case sync
}

public struct TokenInfo: Sendable, Equatable {
    public let name: String
    public let scope: TokenScope
    public let createdAt: String
    public let lastUsedAt: String?
}

/// Named access tokens, stored only as SHA-256 hashes.
public enum Tokens {
    /// A new secret: `jp_` and 43 characters of base64url (256 random bits).
    public static func makeSecret() -> String {
        var g = SystemRandomNumberGenerator()
        return "jp_" + Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    public static func hash(_ token: String) -> String { Hex.encode(SHA256.hash(Array(token.utf8))) }

    /// Compares two equal-length strings in time independent of where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && RecordID.isValid(name)
    }
}

public enum TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidName(String)
    case nameTaken(String)

    public var description: String {
        switch self {
        case .invalidName(let n): return "invalid token name \"\(n)\": use 1–64 characters from A–Z a–z 0–9 - _ . ~"
        case .nameTaken(let n): return "a token named \"\(n)\" already exists"
        }
    }
}

extension Store {
    /// Creates a token and returns its secret, which is not stored and cannot be shown again.
    public func createToken(name: String, scope: TokenScope) throws -> String {
        guard Tokens.isValidName(name) else { throw TokenError.invalidName(name) }
        let secret = Tokens.makeSecret()
        let hash = Tokens.hash(secret)
        let now = CalendarDate.formatDateTime(millis: Int64(Date().timeIntervalSince1970 * 1000))
        try write { session in
            if try Int.fetchOne(session.db, sql: "SELECT 1 FROM tokens WHERE name = ?", arguments: [name]) != nil {
                throw TokenError.nameTaken(name)
            }
            try session.db.execute(
                sql: "INSERT INTO tokens (name, hash, scope, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, hash, scope.rawValue, now])
        }
        return secret
    }

    public func tokens() throws -> [TokenInfo] {
        try readDatabase { db in
            try Row.fetchAll(db, sql: "SELECT name, scope, created_at, last_used_at FROM tokens ORDER BY name").map {
                TokenInfo(
                    name: $0[0], scope: TokenScope(rawValue: $0[1]) ?? .read, createdAt: $0[2], lastUsedAt: $0[3])
            }
        }
    }

    /// Revokes a token at once; returns false if no token has that name.
    public func revokeToken(name: String) throws -> Bool {
        try write { session in
            try session.db.execute(sql: "DELETE FROM tokens WHERE name = ?", arguments: [name])
            return session.db.changesCount > 0
        }
    }

    /// The token a secret belongs to, or nil.
    public func authenticate(_ secret: String) throws -> TokenInfo? {
        try token(hash: Tokens.hash(secret)).token
    }

    /// Records when tokens were last used (batched by the caller: not a write per request).
    public func markTokensUsed(_ lastUsed: [String: String]) throws {
        guard !lastUsed.isEmpty else { return }
        try write { session in
            for (name, time) in lastUsed {
                try session.db.execute(
                    sql: "UPDATE tokens SET last_used_at = ? WHERE name = ?", arguments: [time, name])
            }
        }
    }
}

extension Store {
    /// Whether first-start setup (the default token) has completed for this database.
    public func isInitialized() throws -> Bool {
        try readDatabase { db in try Meta.get(db, "initialized") == "1" }
    }

    public func markInitialized() throws {
        try write { session in try Meta.set(session.db, "initialized", "1") }
    }
}
