import GRDB
import Sync

/// The `meta` table: the replica's identity and persisted clock.
enum Meta {
    static func get(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key])
    }

    static func set(_ db: Database, _ key: String, _ value: String) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")
            .execute(arguments: [key, value])
    }

    static func clock(_ db: Database) throws -> HLC {
        try get(db, "hlc").flatMap { HLC(hex: $0) } ?? .zero
    }

    static func setClock(_ db: Database, _ hlc: HLC) throws {
        try set(db, "hlc", hlc.hex)
    }
}
