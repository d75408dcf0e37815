import GRDB
import Model
import Sync

/// A live record as the API serves it.
public struct StoredRecord: Sendable, Equatable {
    public let collection: String
    public let id: String
    /// The JSON document, ready to send.
    public let body: String
    public let version: String
}

/// What `If-Match` asks of a write.
public enum Precondition: Sendable, Equatable {
    case none
    /// `If-Match: *`: the record must exist.
    case exists
    /// The record's current version must be one of these.
    case version(in: [String])
}

/// The one mutation path. Every write, local or merged from elsewhere, goes through
/// ``merge(_:row:cells:)``, which updates the record, its history and the change log in the caller's
/// transaction, so a record and its log can never disagree. The search index follows the log (``SearchIndexer``).
///
/// A session lives inside one write transaction of ``GroupCommitWriter`` and must not escape it.
public final class MutationSession {
    let db: Database
    public let node: NodeID
    var clock: HybridClock
    /// Cells applied in this session (counted into ``StoreStatistics`` once committed).
    var appliedCells = 0
    /// The sequence of the last log row this session appended, if any.
    var lastSequence: Int64?

    let wallClock: @Sendable () -> UInt64

    init(db: Database, node: NodeID, clock: HybridClock, wallClock: @escaping @Sendable () -> UInt64) {
        self.db = db
        self.node = node
        self.clock = clock
        self.wallClock = wallClock
    }

    /// A clock reading for a local write.
    private func tick() -> HLC { clock.tick(wallMillis: wallClock()) }

    // MARK: Local writes

    /// Creates a record (or re-creates a deleted one) with every field written.
    public func create(_ collection: CollectionSpec, _ input: CreateInput) throws -> StoredRecord {
        // An id the server just made (time and 74 random bits) names no record yet: no need to look for one.
        // Should it ever collide, the insert fails on the records' unique (collection, id).
        var row: RecordRow
        if let id = input.id {
            row = try RecordRow.load(db, collection, id: id) ?? .new(collection, id: id)
        } else {
            row = .new(collection, id: RecordID.make(unixMillis: wallClock()))
        }
        let id = row.id
        if row.state.isAlive { throw StorageError.alreadyExists(collection: collection.name, id: id) }
        try checkReferences(collection, input.values)
        let key = CellKey(cl: row.state.cl + 1, hlc: tick(), node: node)
        var cells = [(field: String, value: JSONValue, key: CellKey)]()
        cells.reserveCapacity(input.values.count + 1)
        for (field, value) in input.values { cells.append((field, value, key)) }
        cells.append((Change.existenceField, .bool(true), key))
        let document = try merge(collection, row: &row, cells: cells).document
        return try stored(collection, id, document)
    }

    /// Writes the fields whose value changes; a patch that changes nothing writes nothing.
    public func update(
        _ collection: CollectionSpec, id: String, values: [String: JSONValue], precondition: Precondition = .none
    ) throws -> StoredRecord {
        var row = try liveRow(collection, id: id, precondition: precondition)
        let changed = values.filter { field, value in (row.state.cells[field]?.value ?? .null) != value }
        if changed.isEmpty {
            let document = RecordDocument(collection: collection, id: id, state: row.state)
            return StoredRecord(collection: collection.name, id: id, body: document.body, version: document.version)
        }
        try checkReferences(collection, changed)
        let key = CellKey(cl: row.state.cl, hlc: tick(), node: node)
        let document = try merge(collection, row: &row, cells: changed.map { ($0.key, $0.value, key) }).document
        return try stored(collection, id, document)
    }

    /// Deletes a record: its causal length becomes even and its values move to history.
    public func delete(_ collection: CollectionSpec, id: String, precondition: Precondition = .none) throws {
        var row = try liveRow(collection, id: id, precondition: precondition)
        let key = CellKey(cl: row.state.cl + 1, hlc: tick(), node: node)
        _ = try merge(collection, row: &row, cells: [(Change.existenceField, .bool(false), key)])
    }

    /// The live record, or nil.
    public func record(_ collection: CollectionSpec, id: String) throws -> StoredRecord? {
        try Queries.record(db, collection: collection.name, id: id)
    }

    // MARK: Merging cells made elsewhere

    /// Merges cells that already carry their clocks (from a peer, an import, or the built-in seed).
    /// The caller has validated them (``ChangeCodec``). `source` is the replica they came from, so
    /// it is not sent them back.
    public func apply(_ changes: [Change], source: NodeID? = nil) throws -> MergeCounts {
        var counts = MergeCounts()
        var start = 0
        while start < changes.count {
            // Cells of one record that arrive together are merged together.
            let first = changes[start]
            var end = start + 1
            while end < changes.count, changes[end].collection == first.collection, changes[end].id == first.id {
                end += 1
            }
            guard let collection = Catalog.collection(first.collection) else {
                throw StorageError.invalid(ValidationFailure("collection", "unknown collection \(first.collection)"))
            }
            var row = try RecordRow.load(db, collection, id: first.id) ?? .new(collection, id: first.id)
            let group = changes[start..<end]
            for change in group { clock.observe(change.hlc) }
            let outcome = try merge(
                collection, row: &row, cells: group.map { ($0.field, $0.value, $0.key) }, source: source)
            counts.applied += outcome.counts.applied
            counts.ignored += outcome.counts.ignored
            start = end
        }
        return counts
    }

    /// Merges changes received from another replica, after refusing the whole batch if any clock
    /// in it is too far ahead of ours (``ClockSkewError``).
    public func applyRemote(_ changes: [Change], from source: NodeID) throws -> MergeCounts {
        let wall = wallClock()
        for change in changes { try clock.check(change.hlc, wallMillis: wall) }
        return try apply(changes, source: source)
    }

    // MARK: The merge

    private struct MergeOutcome {
        var counts = MergeCounts()
        var document: RecordDocument?
    }

    private func merge(
        _ collection: CollectionSpec, row: inout RecordRow, cells: [(field: String, value: JSONValue, key: CellKey)],
        source: NodeID? = nil
    ) throws -> MergeOutcome {
        var outcome = MergeOutcome()
        // The applied cells by key: one key (a local write) or a few (a peer's), so a search beats hashing the keys.
        var winners: [(key: CellKey, cells: [String: JSONValue])] = []
        for cell in cells {
            switch row.state.apply(field: cell.field, value: cell.value, key: cell.key) {
            case .applied(let displaced):
                outcome.counts.applied += 1
                if let group = winners.firstIndex(where: { $0.key == cell.key }) {
                    winners[group].cells[cell.field] = cell.value
                } else {
                    var group = [String: JSONValue](minimumCapacity: cells.count)
                    group[cell.field] = cell.value
                    winners.append((cell.key, group))
                }
                for d in displaced { try History.record(db, collection: collection.name, id: row.id, d) }
            case .lost(let displaced):
                outcome.counts.ignored += 1
                try History.record(db, collection: collection.name, id: row.id, displaced)
            case .duplicate:
                outcome.counts.ignored += 1
            }
        }
        guard outcome.counts.applied > 0 else {
            outcome.document = row.state.isAlive ? RecordDocument(collection: collection, id: row.id, state: row.state) : nil
            return outcome
        }
        appliedCells += outcome.counts.applied
        outcome.document = try row.save(db)
        for (key, cells) in winners.sorted(by: { $0.key < $1.key }) {
            lastSequence = try ChangeLog.append(
                db, collection: collection, id: row.id, key: key, cells: cells, source: source)
        }
        return outcome
    }

    // MARK: Helpers

    private func liveRow(_ collection: CollectionSpec, id: String, precondition: Precondition) throws -> RecordRow {
        guard let row = try RecordRow.load(db, collection, id: id), row.state.isAlive else {
            throw StorageError.notFound(collection: collection.name, id: id)
        }
        if case .version(let allowed) = precondition {
            let current = row.version ?? RecordDocument(collection: collection, id: id, state: row.state).version
            if !allowed.contains(current) { throw StorageError.versionMismatch(current: current) }
        }
        return row
    }

    /// Every non-null reference must name a live record of the right collection.
    private func checkReferences(_ collection: CollectionSpec, _ values: [String: JSONValue]) throws {
        var errors: [FieldError] = []
        for leaf in collection.referenceLeaves {
            guard let target = leaf.type.referencedCollection, let value = values[leaf.name] else { continue }
            let ids: [String]
            switch value {
            case .string(let id): ids = [id]
            case .array(let items): ids = items.compactMap(\.stringValue)
            default: ids = []
            }
            for id in ids where try !Queries.isAlive(db, collection: target, id: id) {
                errors.append(FieldError(leaf.name, "no \(target) record has id \(id)"))
            }
        }
        if !errors.isEmpty { throw StorageError.invalid(ValidationFailure(errors)) }
    }

    private func stored(_ collection: CollectionSpec, _ id: String, _ document: RecordDocument?) throws
        -> StoredRecord
    {
        guard let document else { throw StorageError.notFound(collection: collection.name, id: id) }
        return StoredRecord(collection: collection.name, id: id, body: document.body, version: document.version)
    }
}
