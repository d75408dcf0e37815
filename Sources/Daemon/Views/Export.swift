import Model
import Storage
import Sync

/// The whole dataset as canonical JSON (`GET /v1/export`, `jobprepd export`) and back
/// (`POST /v1/import`, `jobprepd import`).
///
/// `{"collections":{"<name>":[records…],…},"format":"jobprep-export/1"}`: compact, keys sorted by
/// their UTF-8 bytes (collections included), records sorted by id, each record its stored document.
/// Documents derive from the records' cells only, so two replicas holding the same data give the
/// same bytes; the output is what ``JSONWriter`` writes for the same value.
enum Export {
    static let format = "jobprep-export/1"

    /// Collections in the order their names sort as UTF-8 bytes, as ``JSONWriter`` sorts keys.
    static let collectionsInKeyOrder: [CollectionSpec] = Catalog.all.sorted { utf8Precedes($0.name, $1.name) }

    /// Writes the export, calling `progress` with the number of records written so far.
    static func canonicalJSON(_ session: ReadSession, progress: ((Int) -> Void)? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        out.append(contentsOf: #"{"collections":{"#.utf8)
        var written = 0
        for (index, collection) in collectionsInKeyOrder.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendEscapedString(collection.name, into: &out)
            out.append(contentsOf: ":[".utf8)
            var first = true
            try session.forEachDocument(collection) { document in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: document.utf8)
                written += 1
                if written % 256 == 0 { progress?(written) }
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: #"},"format":"#.utf8)
        JSONWriter.appendEscapedString(format, into: &out)
        out.append(UInt8(ascii: "}"))
        progress?(written)
        return out
    }
}

/// An export file, validated whole before anything is stored.
struct ImportFile: Sendable {
    let records: [ImportedRecord]

    /// At most this many problems are listed; the rest are counted.
    static let maxReportedErrors = 1000

    /// Checks the format tag, the collections, every id, every record's fields and timestamps.
    /// Throws a ``ValidationFailure`` listing every problem (up to ``maxReportedErrors``).
    ///
    /// - Parameters:
    ///   - nowMillis: the local wall clock; timestamps more than `maxSkewMillis` after it are refused,
    ///     as a sync peer's would be (they would drag this replica's clock into the future).
    ///   - progress: called with the number of records checked so far.
    static func validate(
        _ json: JSONValue, nowMillis: Int64, maxSkewMillis: Int64 = 5 * 60 * 1000,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> ImportFile {
        var errors: [FieldError] = []
        var suppressed = 0
        func fail(_ field: String, _ message: String) {
            if errors.count < maxReportedErrors { errors.append(FieldError(field, message)) } else { suppressed += 1 }
        }
        guard let object = json.objectValue else {
            throw ValidationFailure("", "an export is a JSON object with format and collections, got \(json.typeName)")
        }
        for key in object.keys.sorted() where key != "format" && key != "collections" {
            fail(key, "is not a member of an export (format, collections)")
        }
        if object["format"] != .string(Export.format) {
            fail("format", "must be \"\(Export.format)\"")
        }
        guard let collections = object["collections"]?.objectValue else {
            fail("collections", "must be an object of collection name → array of records")
            throw ValidationFailure(errors)
        }
        let total = collections.values.reduce(0) { $0 + ($1.arrayValue?.count ?? 0) }
        var checked = 0
        var records: [ImportedRecord] = []
        records.reserveCapacity(total)
        for name in collections.keys.sorted() {
            let path = "collections.\(name)"
            guard let collection = Catalog.collection(name) else {
                fail(path, "is not a collection (\(Catalog.all.map(\.name).joined(separator: ", ")))")
                continue
            }
            guard let items = collections[name]!.arrayValue else {
                fail(path, "must be an array of records")
                continue
            }
            var ids = Set<String>()
            for (index, item) in items.enumerated() {
                checked += 1
                if checked % 256 == 0 { progress?(checked, total) }
                let at = "\(path)[\(index)]"
                switch record(item, in: collection, nowMillis: nowMillis, maxSkewMillis: maxSkewMillis) {
                case .failure(let failure):
                    for error in failure.errors {
                        fail(error.field.isEmpty ? at : "\(at).\(error.field)", error.message)
                    }
                case .success(let record):
                    if ids.insert(record.id).inserted {
                        records.append(record)
                    } else {
                        fail("\(at).id", "\(record.id) appears twice in \(name)")
                    }
                }
            }
        }
        progress?(checked, total)
        if suppressed > 0 { errors.append(FieldError("", "and \(suppressed) more problems")) }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return ImportFile(records: records)
    }

    private static func record(
        _ item: JSONValue, in collection: CollectionSpec, nowMillis: Int64, maxSkewMillis: Int64
    ) -> Result<ImportedRecord, ValidationFailure> {
        guard var object = item.objectValue else {
            return .failure(ValidationFailure("", "a record must be a JSON object, got \(item.typeName)"))
        }
        var errors: [FieldError] = []
        let id = object["id"]?.stringValue
        if let id, RecordID.isValid(id) {
            if collection.isSingleton, id != Catalog.profileID {
                errors.append(FieldError("id", "must be \"\(Catalog.profileID)\" for the \(collection.name) singleton"))
            }
        } else {
            errors.append(FieldError("id", "must be 1–128 characters from A–Z a–z 0–9 - _ . ~"))
        }
        func timestamp(_ field: String) -> HLC? {
            guard let text = object[field]?.stringValue, let millis = CalendarDate.parseDateTime(text), millis >= 0,
                UInt64(millis) <= HLC.maxMillis
            else {
                errors.append(FieldError(field, "must be an RFC 3339 date-time such as 2026-03-01T09:30:00.000Z"))
                return nil
            }
            if millis > nowMillis + maxSkewMillis {
                errors.append(FieldError(field, "is in the future (\(text)); check the exporting machine's clock"))
                return nil
            }
            return HLC(millis: UInt64(millis), counter: 0)
        }
        let created = timestamp("created_at")
        let updated = timestamp("updated_at")
        if let created, let updated, updated < created {
            errors.append(FieldError("updated_at", "must not be before created_at"))
        }
        if let version = object["version"], version.stringValue == nil {
            errors.append(FieldError("version", "must be a string (it is recomputed on import)"))
        }
        for field in BodyValidator.serverFields { object[field] = nil }
        for field in collection.fields where field.required && object[field.name] == nil {
            errors.append(FieldError(field.name, "is required (an export holds every field, null where unset)"))
        }
        var values: [String: JSONValue] = [:]
        // An export holds records as this replica serves them, and sync can make a record visible
        // before all its create cells arrive: what export writes, import must take back.
        switch BodyValidator.validateCreate(.object(object), in: collection, allowReadOnly: true, requireFields: false) {
        case .success(let input): values = input.values
        case .failure(let failure): errors += failure.errors
        }
        guard errors.isEmpty, let id, let created, let updated else { return .failure(ValidationFailure(errors)) }
        return .success(
            ImportedRecord(collection: collection, id: id, values: values, created: created, updated: updated))
    }
}

/// What an import did.
struct ImportSummary: Sendable, Equatable {
    var records = 0
    var created = 0
    var updated = 0
    var unchanged = 0
    /// Fields whose imported value lost to a newer local edit (kept in history).
    var keptLocal = 0

    mutating func add(_ outcome: ImportOutcome) {
        records += 1
        switch outcome {
        case .created: created += 1
        case .updated(let applied, let kept):
            if applied > 0 { updated += 1 } else { unchanged += 1 }
            keptLocal += kept
        case .unchanged: unchanged += 1
        }
    }

    var json: JSONValue {
        [
            "records": .int(Int64(records)), "created": .int(Int64(created)), "updated": .int(Int64(updated)),
            "unchanged": .int(Int64(unchanged)), "kept_local": .int(Int64(keptLocal)),
        ]
    }

    var text: String {
        "\(records) records: \(created) created, \(updated) updated, \(unchanged) unchanged"
            + (keptLocal > 0 ? "; \(keptLocal) imported values older than local edits kept in history" : "")
    }
}

extension ImportFile {
    /// Merges every record through the mutation path, in the caller's (one) transaction.
    func apply(_ session: MutationSession, progress: ((Int, Int) -> Void)? = nil) throws -> ImportSummary {
        var summary = ImportSummary()
        for (index, record) in records.enumerated() {
            summary.add(try session.importRecord(record))
            if (index + 1) % 256 == 0 { progress?(index + 1, records.count) }
        }
        progress?(records.count, records.count)
        return summary
    }
}
