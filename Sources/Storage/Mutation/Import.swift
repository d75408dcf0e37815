import Model
import Sync

/// One record of an export, validated, ready to merge.
public struct ImportedRecord: Sendable, Equatable {
    public let collection: CollectionSpec
    public let id: String
    /// Every leaf of the collection, by cell name, in its stored form.
    public let values: [String: JSONValue]
    /// The record's `created_at` and `updated_at`, as clock readings (milliseconds, counter 0).
    public let created: HLC
    public let updated: HLC

    public init(collection: CollectionSpec, id: String, values: [String: JSONValue], created: HLC, updated: HLC) {
        self.collection = collection
        self.id = id
        self.values = values
        self.created = created
        self.updated = updated
    }

    public static func == (a: ImportedRecord, b: ImportedRecord) -> Bool {
        a.collection.name == b.collection.name && a.id == b.id && a.values == b.values && a.created == b.created
            && a.updated == b.updated
    }
}

/// What importing one record did.
public enum ImportOutcome: Sendable, Equatable {
    /// The record was absent (or deleted) here and now exists.
    case created
    /// Some fields differed; `applied` of them won, the rest lost to newer local edits (kept in history).
    case updated(applied: Int, kept: Int)
    /// Every field already held the imported value: nothing was written.
    case unchanged
}

extension MutationSession {
    /// Merges an exported record through ``apply(_:)``, with cells whose clocks come from the
    /// export's timestamps and this replica's node, so that importing an export into an empty
    /// replica reproduces the exporter's documents byte for byte.
    ///
    /// - A record absent here (or deleted here: import is an explicit create) gets the next odd
    ///   causal length, an existence cell at `created` and every leaf at `updated`.
    /// - A live record gets only the leaves whose value differs, at `updated` with its current causal
    ///   length; per-field last-writer-wins decides, so an older import loses to newer local edits
    ///   (the imported value goes to history). Equal leaves write nothing, so importing the same
    ///   export twice changes nothing the second time.
    ///
    /// References are not checked: an export may hold dangling references, which readers report.
    public func importRecord(_ record: ImportedRecord) throws -> ImportOutcome {
        let collection = record.collection
        let row = try RecordRow.load(db, collection, id: record.id)
        var changes: [Change] = []
        if let row, row.state.isAlive {
            let fieldKey = CellKey(cl: row.state.cl, hlc: record.updated, node: node)
            for leaf in collection.leaves {
                let value = record.values[leaf.name] ?? leaf.defaultValue
                if Self.isMissingRequiredValue(leaf, value, in: collection) { continue }
                if (row.state.cells[leaf.name]?.value ?? .null) != value {
                    changes.append(
                        Change(
                            collection: collection.name, id: record.id, field: leaf.name, value: value, key: fieldKey))
                }
            }
            if changes.isEmpty { return .unchanged }
            let counts = try apply(changes)
            return .updated(applied: counts.applied, kept: counts.ignored)
        }
        let cl = (row?.state.cl ?? 0) + 1
        changes.append(
            Change(
                collection: collection.name, id: record.id, field: Change.existenceField, value: .bool(true),
                key: CellKey(cl: cl, hlc: record.created, node: node)))
        let fieldKey = CellKey(cl: cl, hlc: record.updated, node: node)
        for leaf in collection.leaves {
            let value = record.values[leaf.name] ?? leaf.defaultValue
            if Self.isMissingRequiredValue(leaf, value, in: collection) { continue }
            changes.append(
                Change(collection: collection.name, id: record.id, field: leaf.name, value: value, key: fieldKey))
        }
        _ = try apply(changes)
        return .created
    }

    /// A required field exported as null: the exporting replica had not received its cell (sync can show a record
    /// before all its create cells arrive). Null is not a value a required field may be written with, and writing
    /// no cell renders the same null, so the import writes none.
    static func isMissingRequiredValue(_ leaf: FieldSpec, _ value: JSONValue, in collection: CollectionSpec) -> Bool {
        value.isNull && collection.field(leaf.name)?.required == true
    }
}
