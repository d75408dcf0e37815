import Model
import Sync

/// What every new dataset starts with: the empty profile and the built-in interview questions.
///
/// The cells carry a fixed clock and the origin node, so every replica seeds identical cells and
/// merging two fresh replicas changes nothing. A later release that changes the seed bumps
/// ``Seed/version`` and ships its cells with a later fixed clock.
enum Seed {
    static let version = "1"
    /// 2026-01-01T00:00:00Z.
    static let clock = HLC(millis: UInt64(CalendarDate.days(year: 2026, month: 1, day: 1)) * 86_400_000, counter: 0)

    static func apply(_ session: MutationSession) throws {
        guard try Meta.get(session.db, "seed_version") != version else { return }
        let key = CellKey(cl: 1, hlc: clock, node: .origin)
        var changes: [Change] = []
        func cells(_ collection: CollectionSpec, _ id: String, _ values: [String: JSONValue]) {
            changes.append(Change(collection: collection.name, id: id, field: Change.existenceField, value: .bool(true), key: key))
            for leaf in collection.leaves {
                changes.append(
                    Change(collection: collection.name, id: id, field: leaf.name, value: values[leaf.name] ?? leaf.defaultValue, key: key))
            }
        }
        cells(Catalog.profile, Catalog.profileID, [:])
        for question in Catalog.builtinQuestions {
            cells(
                Catalog.questions, question.id,
                [
                    "text": .string(question.text), "category": .string(question.category),
                    "guidance": .string(question.guidance), "builtin": .bool(true),
                ])
        }
        _ = try session.apply(changes, source: .origin)
        try Meta.set(session.db, "seed_version", version)
    }
}
