import Model
import Sync

/// The API representation of a live record, rendered from its merge state.
///
/// Everything in it derives from the record's cells, never from when or where it was received,
/// so replicas holding the same cells render byte-identical documents with the same `version`.
struct RecordDocument {
    let body: String
    let version: String
    let createdHLC: HLC
    let updatedHLC: HLC

    init(collection: CollectionSpec, id: String, state: RecordState) {
        var object: [String: JSONValue] = [:]
        object.reserveCapacity(collection.fields.count + 4)
        for field in collection.fields {
            if case .object = field.type {
                var nested: [String: JSONValue] = [:]
                for leaf in field.leaves {
                    let child = String(leaf.name.dropFirst(field.name.count + 1))
                    nested[child] = state.cells[leaf.name]?.value ?? .null
                }
                object[field.name] = .object(nested)
            } else {
                object[field.name] = state.cells[field.name]?.value ?? .null
            }
        }
        let created = state.createdHLC ?? .zero
        let updated = state.updatedHLC ?? created
        object["id"] = .string(id)
        object["created_at"] = .string(created.timestamp)
        object["updated_at"] = .string(updated.timestamp)
        var hash = FNV1a()
        hash.combine(JSONWriter().bytes(.object(object)))
        object["version"] = .string(hash.hex)
        self.body = JSONWriter().string(.object(object))
        self.version = hash.hex
        self.createdHLC = created
        self.updatedHLC = updated
    }

    /// The leaf values held in a rendered body, by cell name (the inverse of rendering).
    static func leafValues(of body: JSONValue, in collection: CollectionSpec) -> [String: JSONValue] {
        guard let object = body.objectValue else { return [:] }
        var values: [String: JSONValue] = [:]
        for field in collection.fields {
            if case .object = field.type {
                let nested = object[field.name]?.objectValue ?? [:]
                for leaf in field.leaves {
                    values[leaf.name] = nested[String(leaf.name.dropFirst(field.name.count + 1))] ?? .null
                }
            } else {
                values[field.name] = object[field.name] ?? .null
            }
        }
        return values
    }
}
