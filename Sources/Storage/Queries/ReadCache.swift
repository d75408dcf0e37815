import Model

/// The two reads nearly every request makes, a token by its hash and a record by its id, kept in memory for as long
/// as nothing is committed. Every entry was read at the committed state named by the cache's stamp
/// (``CommitProbe``), and a lookup answers only when the database is still at that state; any commit, by this
/// process or another, empties the cache at the next lookup. A revoked token is therefore refused by the first
/// request after the revocation commits, as without the cache.
///
/// Only hits are kept (an unknown token or id always asks SQLite). A record is kept on its second miss within the
/// last ``admissionWindow`` misses, not its first: reads spread over more records than fit would otherwise replace
/// the whole cache over and over, and measured that way (random GETs over 100,000 records) they were slower than
/// without a cache. At most `recordByteLimit` bytes of record JSON are kept: past it the records are dropped and
/// the cache fills again.
final class ReadCache: Sendable {
    struct RecordKey: Hashable, Sendable {
        let collection: String
        let id: String
    }

    /// What the cache holds for one request: the token if known, the record if asked for and known, and whether a
    /// record asked for and missed is to be kept once read (its second miss).
    struct Lookup {
        var token: TokenInfo?
        var record: StoredRecord?
        var admitsRecord = false
    }

    private struct Contents {
        var stamp: CommitProbe.Stamp?
        var tokens: [String: TokenInfo] = [:]
        var records: [RecordKey: StoredRecord] = [:]
        var recordBytes = 0
        /// Hashes of records missed once, the admission rule's memory.
        var missedOnce: Set<Int> = []
        var hits = 0
        var misses = 0

        /// Empties the cache if the database is no longer at the state its entries were read at.
        mutating func align(to stamp: CommitProbe.Stamp) {
            guard self.stamp != stamp else { return }
            self.stamp = stamp
            tokens.removeAll(keepingCapacity: true)
            dropRecords()
        }

        mutating func dropRecords() {
            records.removeAll(keepingCapacity: true)
            recordBytes = 0
        }
    }

    /// Tokens kept at most; far more than one person's devices.
    static let tokenLimit = 64
    /// Misses remembered by the admission rule.
    static let admissionWindow = 4096

    let recordByteLimit: Int
    private let contents = Locked(Contents())

    init(recordByteLimit: Int) {
        self.recordByteLimit = recordByteLimit
    }

    /// What is cached of the token and, if `key` is given, the record, while the database is at `stamp`.
    func lookup(at stamp: CommitProbe.Stamp, tokenHash: String, record key: RecordKey?) -> Lookup {
        contents.withLock { contents in
            contents.align(to: stamp)
            var found = Lookup(token: contents.tokens[tokenHash], record: key.flatMap { contents.records[$0] })
            if let key, found.record == nil {
                found.admitsRecord = contents.missedOnce.remove(key.hashValue) != nil
                if !found.admitsRecord {
                    if contents.missedOnce.count >= Self.admissionWindow {
                        contents.missedOnce.removeAll(keepingCapacity: true)
                    }
                    contents.missedOnce.insert(key.hashValue)
                }
            }
            if found.token != nil && (key == nil || found.record != nil) {
                contents.hits += 1
            } else {
                contents.misses += 1
            }
            return found
        }
    }

    /// Lookups answered from memory and sent on to SQLite since the start, and the bytes of record JSON held now, read
    /// together.
    var status: (hits: Int, misses: Int, recordBytes: Int) {
        contents.withLock { ($0.hits, $0.misses, $0.recordBytes) }
    }

    /// Keeps what was read at `stamp` (the caller checked that nothing was committed while it read); a record only if
    /// its lookup admitted it.
    func remember(at stamp: CommitProbe.Stamp, tokenHash: String, token: TokenInfo?, record: StoredRecord?) {
        contents.withLock { contents in
            contents.align(to: stamp)
            if let token, contents.tokens[tokenHash] == nil {
                if contents.tokens.count >= Self.tokenLimit { contents.tokens.removeAll() }
                contents.tokens[tokenHash] = token
            }
            guard let record, record.body.utf8.count <= recordByteLimit else { return }
            let key = RecordKey(collection: record.collection, id: record.id)
            if contents.recordBytes + record.body.utf8.count > recordByteLimit { contents.dropRecords() }
            if contents.records.updateValue(record, forKey: key) == nil {
                contents.recordBytes += record.body.utf8.count
            }
        }
    }
}

extension Store {
    /// The token whose SHA-256 hash (hex) is `tokenHash` and, if `record` names one, that record, both as of one
    /// committed state: from memory when nothing was committed since they were last read (``ReadCache``), else
    /// from one read transaction.
    public func token(
        hash tokenHash: String, record: (collection: CollectionSpec, id: String)? = nil
    ) throws -> (token: TokenInfo?, record: StoredRecord?) {
        try withReaders {
            let key = record.map { ReadCache.RecordKey(collection: $0.collection.name, id: $0.id) }
            guard let probe = commitProbe else { return try readTokenAndRecord(tokenHash, key) }
            let before = probe.stamp()
            let cached = readCache.lookup(at: before, tokenHash: tokenHash, record: key)
            if let token = cached.token, key == nil || cached.record != nil { return (token, cached.record) }
            // Read what is missing; a cached token goes with a record read at the same state, or both are read anew.
            let found = try readTokenAndRecord(tokenHash, key, knownToken: cached.token)
            if probe.stamp() == before {
                // Nothing new to keep is the common miss over many records: no second trip to the cache's lock.
                if cached.token == nil || cached.admitsRecord {
                    readCache.remember(
                        at: before, tokenHash: tokenHash, token: found.token,
                        record: cached.admitsRecord ? found.record : nil)
                }
                return found
            }
            return cached.token == nil ? found : try readTokenAndRecord(tokenHash, key)
        }
    }

    /// Lookups answered by the read cache and sent on to SQLite since the store was opened, and the bytes of record
    /// JSON it holds now (at most ``StoreOptions/readCacheBytes``).
    public var readCacheStatus: (hits: Int, misses: Int, recordBytes: Int) { readCache.status }

    private func readTokenAndRecord(_ tokenHash: String, _ key: ReadCache.RecordKey?, knownToken: TokenInfo? = nil)
        throws -> (token: TokenInfo?, record: StoredRecord?)
    {
        if let knownToken {
            return (
                knownToken,
                try key.flatMap { key in
                    try readers.readOneStatement { db in try Queries.record(db, collection: key.collection, id: key.id)
                    }
                }
            )
        }
        return try readers.read { db in
            guard let token = try ReadSession(db: db).token(hash: tokenHash) else { return (nil, nil) }
            return (token, try key.flatMap { try Queries.record(db, collection: $0.collection, id: $0.id) })
        }
    }
}
