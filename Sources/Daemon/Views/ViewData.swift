import Foundation
import Model
import Storage
import Sync

/// A record named in a report: which one, and a few words a person recognises it by.
struct RecordRef: Sendable, Equatable {
    let collection: String
    let id: String
    let label: String

    var json: JSONValue { ["collection": .string(collection), "id": .string(id), "label": .string(label)] }
}

/// Live records of every collection, projected to the leaves the readiness rules read (plus every
/// reference leaf and each collection's title leaf), loaded in one read transaction.
struct ViewData: Sendable {
    var records: [String: [ProjectedRecord]]

    init(records: [String: [ProjectedRecord]]) {
        self.records = records
    }

    subscript(_ collection: String) -> [ProjectedRecord] { records[collection] ?? [] }

    /// The leaves each collection's rules read, besides references and titles (which the catalog gives).
    static let ruleLeaves: [String: [String]] = [
        "profile": ["ideal_role", "compensation.currency", "compensation.base_target", "compensation.total_target"],
        "values": ["rank"],
        "industries": ["stance"],
        "pitches": ["who", "recent", "value"],
        "value-assessments": ["verdict"],
        "contacts": ["next_follow_up_on"],
        "opportunities": ["status"],
        "activities": ["kind", "scheduled_at", "done_at"],
        "questions": ["builtin", "category"],
        "answers": ["body"],
        "stories": ["kind", "use_case", "design", "challenges", "outcome", "ended_on"],
        "traits": ["kind", "mitigation"],
    ]

    static func leaves(of collection: CollectionSpec) -> [String] {
        var names = ruleLeaves[collection.name] ?? []
        names += collection.referenceLeaves.map(\.name)
        if let title = titleLeaf(collection) { names.append(title.name) }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    static func load(_ session: ReadSession) throws -> ViewData {
        var records: [String: [ProjectedRecord]] = [:]
        for collection in Catalog.all {
            records[collection.name] = try session.project(collection, leaves(of: collection))
        }
        return ViewData(records: records)
    }

    /// The leaf a record is known by: the collection's first title-weighted text leaf.
    static func titleLeaf(_ collection: CollectionSpec) -> FieldSpec? {
        collection.leaves.first { $0.type.isTextual && $0.searchWeight >= 3 }
    }

    private static let titleLeafNames: [String: String] = Dictionary(
        uniqueKeysWithValues: Catalog.all.compactMap { c in titleLeaf(c).map { (c.name, $0.name) } })

    /// A record's label: its title, else its id.
    static func label(_ collection: String, _ record: ProjectedRecord) -> String {
        if let leaf = titleLeafNames[collection], let text = record[leaf].stringValue, !text.isBlank { return text }
        return record.id
    }

    func ref(_ collection: String, _ record: ProjectedRecord, label: String? = nil) -> RecordRef {
        RecordRef(collection: collection, id: record.id, label: label ?? Self.label(collection, record))
    }

    /// The live records of a collection by id.
    func index(_ collection: String) -> [String: ProjectedRecord] {
        Dictionary(self[collection].map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

extension Array {
    /// Sorted by a key computed once per element (the views' comparators read JSON fields).
    func sorted<Key>(byKey key: (Element) -> Key, _ less: (Key, Key) -> Bool) -> [Element] {
        map { (key($0), $0) }.sorted { less($0.0, $1.0) }.map(\.1)
    }
}

extension String {
    /// Empty or only whitespace.
    var isBlank: Bool { unicodeScalars.allSatisfy(\.properties.isWhitespace) }
}

extension JSONValue {
    /// A string with something other than whitespace in it.
    var hasText: Bool { stringValue.map { !$0.isBlank } ?? false }
}

/// The date and instant a view is computed for (UTC), injectable for tests.
struct ViewClock: Sendable {
    let millis: Int64

    /// Days since 1970-01-01 (UTC).
    var today: Int { Int((millis >= 0 ? millis : millis - 86_399_999) / 86_400_000) }
    var todayText: String { CalendarDate.formatDate(days: today) }

    /// Milliseconds since the epoch, from the system clock.
    static func wallMillis() -> Int64 { Int64(HybridClock.wallMillis()) }
}
