import GRDB
import Sync

/// The versioned schema of a JobPrep database. Each migration runs once, in order, in a transaction.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: records, change log, history, search, tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID;

                    -- One row per record ever seen, alive (body set) or deleted (body NULL).
                    CREATE TABLE records (
                        collection TEXT NOT NULL,
                        id TEXT NOT NULL,
                        cl INTEGER NOT NULL,            -- causal length: odd alive, even deleted
                        clocks TEXT NOT NULL,           -- the current life's cells' keys (v3: StoredClocks)
                        body TEXT,                      -- the API representation while alive
                        version TEXT,
                        created_hlc INTEGER,
                        updated_hlc INTEGER,
                        UNIQUE (collection, id)
                    );
                    CREATE INDEX records_by_created ON records (collection, created_hlc, id) WHERE body IS NOT NULL;

                    -- Every write, local or merged from a peer, in local commit order. `seq` is the sync cursor.
                    CREATE TABLE change_log (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        collection TEXT NOT NULL,
                        record_id TEXT NOT NULL,
                        cl INTEGER NOT NULL,
                        hlc INTEGER NOT NULL,
                        node TEXT NOT NULL,
                        cells TEXT NOT NULL             -- {"field": value} written by this write
                    );

                    -- Values that are no longer (or never were) visible: overwritten, lost a merge, or
                    -- removed with their record. Nothing a user wrote is ever silently dropped.
                    CREATE TABLE history (
                        collection TEXT NOT NULL,
                        record_id TEXT NOT NULL,
                        field TEXT NOT NULL,
                        cl INTEGER NOT NULL,
                        hlc INTEGER NOT NULL,
                        node TEXT NOT NULL,
                        value TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        PRIMARY KEY (collection, record_id, field, cl, hlc, node)
                    ) WITHOUT ROWID;

                    -- One row per non-empty text leaf of a live record; rowid = records.rowid * 64 + the
                    -- leaf's index in its collection, so a record's rows are one rowid range.
                    CREATE VIRTUAL TABLE search_index USING fts5 (
                        content,
                        weight UNINDEXED,
                        tokenize = 'unicode61 remove_diacritics 2'
                    );

                    CREATE TABLE tokens (
                        name TEXT PRIMARY KEY NOT NULL,
                        hash TEXT NOT NULL UNIQUE,      -- SHA-256 of the token, hex
                        scope TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        last_used_at TEXT
                    );

                    CREATE TABLE idempotency_keys (
                        token TEXT NOT NULL,
                        key TEXT NOT NULL,
                        request_hash TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        location TEXT,
                        etag TEXT,
                        body BLOB NOT NULL,
                        created_ms INTEGER NOT NULL,
                        PRIMARY KEY (token, key)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2: change sources and peer checkpoints") { db in
            try db.execute(
                sql: """
                    -- The replica a logged write was received from (NULL: written here). A peer is not
                    -- sent back what it sent.
                    ALTER TABLE change_log ADD COLUMN source TEXT;

                    -- Where sync with each peer stands. `pulled_cursor` is the peer's log sequence and is
                    -- saved in the transaction that applies the pulled batch; `pushed_seq` is ours.
                    CREATE TABLE peers (
                        url TEXT PRIMARY KEY NOT NULL,
                        node_id TEXT,
                        pulled_cursor INTEGER NOT NULL DEFAULT 0,
                        pushed_seq INTEGER NOT NULL DEFAULT 0,
                        last_sync_at TEXT,
                        last_error TEXT
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v3: clocks grouped by key") { db in
            // `records.clocks` was {"field": "cl:hlc:node"}; it becomes {"cl:hlc:node": ["field", ...]}
            // (``StoredClocks``).
            // In slices by rowid, not while a cursor is open on the rows being rewritten.
            let select = try db.makeStatement(
                sql: "SELECT rowid, collection, id, clocks FROM records WHERE rowid > ? ORDER BY rowid LIMIT 1000")
            let update = try db.makeStatement(sql: "UPDATE records SET clocks = ? WHERE rowid = ?")
            var after: Int64 = 0
            while true {
                let rows = try Row.fetchAll(select, arguments: [after])
                guard let last = rows.last else { break }
                for row in rows {
                    let record = "\(row[1] as String)/\(row[2] as String)"
                    guard let clocks = try StoredJSON.parse(row[3]).objectValue else {
                        throw StorageError.database("corrupt clocks for \(record)")
                    }
                    var keys: [(field: String, key: CellKey)] = []
                    for (field, text) in clocks {
                        guard let key = text.stringValue.flatMap({ CellKey(Substring($0)) }) else {
                            throw StorageError.database("corrupt cell key for \(record).\(field)")
                        }
                        keys.append((field, key))
                    }
                    try update.execute(arguments: [StoredClocks.encode(keys), row[0] as Int64])
                }
                after = last[0]
            }
        }
        migrator.registerMigration("v4: the search index in a file of its own") { db in
            // ``SearchIndexer`` keeps it in `<database>.search` and builds it there from the log.
            try db.execute(sql: "DROP TABLE IF EXISTS search_index")
        }
        return migrator
    }
}
