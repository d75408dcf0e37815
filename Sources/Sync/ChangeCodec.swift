import Model

/// Reads and writes change cells in their wire form and checks them against the catalog.
///
/// `{"collection": "values", "id": "…", "field": "name", "value": "Honesty", "cl": 1,
///   "hlc": "0192f3a1b2c30000", "node": "<32 hex>"}`
public enum ChangeCodec {
    /// The greatest causal length a cell may carry (2^53 − 1, exact in every JSON reader), so that
    /// a local delete or re-create (`cl` + 1) on top of it can never overflow.
    public static let maxCausalLength: Int64 = (1 << 53) - 1

    public static func encode(_ change: Change) -> JSONValue {
        .object([
            "collection": .string(change.collection), "id": .string(change.id), "field": .string(change.field),
            "value": change.value, "cl": .int(change.cl), "hlc": .string(change.hlc.hex),
            "node": .string(change.node.hex),
        ])
    }

    /// Decodes and validates one cell; the value comes back in its stored form. `path` names the
    /// cell in error messages (`changes[3]`).
    public static func decode(_ json: JSONValue, path: String) -> Result<Change, ValidationFailure> {
        guard let object = json.objectValue else {
            return .failure(ValidationFailure(path, "must be an object, got \(json.typeName)"))
        }
        var errors: [FieldError] = []
        for key in object.keys.sorted()
        where !["collection", "id", "field", "value", "cl", "hlc", "node"].contains(key) {
            errors.append(FieldError("\(path).\(key)", "is not a member of a change"))
        }
        let collection = object["collection"]?.stringValue.flatMap(Catalog.collection)
        if collection == nil { errors.append(FieldError("\(path).collection", "must name a collection")) }
        let id = object["id"]?.stringValue
        if id.map(RecordID.isValid) != true { errors.append(FieldError("\(path).id", "must be a valid record id")) }
        let cl = object["cl"]?.integerValue
        if cl.map({ (1...maxCausalLength).contains($0) }) != true {
            errors.append(FieldError("\(path).cl", "must be an integer from 1 to \(maxCausalLength)"))
        }
        if let collection, collection.isSingleton {
            // The singleton is made by the seed on every replica and lives once: one id, never deleted.
            if let id, id != Catalog.profileID {
                errors.append(
                    FieldError("\(path).id", "must be \"\(Catalog.profileID)\" for the \(collection.name) singleton"))
            }
            if let cl, cl != 1 {
                errors.append(FieldError("\(path).cl", "must be 1 for the \(collection.name) singleton"))
            }
        }
        let hlc = object["hlc"]?.stringValue.flatMap(HLC.init(hex:))
        if hlc == nil { errors.append(FieldError("\(path).hlc", "must be 16 lowercase hex digits")) }
        let node = object["node"]?.stringValue.flatMap(NodeID.init(hex:))
        if node == nil { errors.append(FieldError("\(path).node", "must be 32 lowercase hex digits")) }
        let field = object["field"]?.stringValue
        var value = object["value"]
        if value == nil { errors.append(FieldError("\(path).value", "is required (null is a value)")) }
        if let collection, let field, let cl, let given = value {
            if field == Change.existenceField {
                if given != .bool(cl % 2 == 1) {
                    errors.append(FieldError("\(path).value", "must be true with an odd cl and false with an even one"))
                }
            } else if let leaf = collection.leaf(field) {
                if cl % 2 == 0 { errors.append(FieldError("\(path).cl", "must be odd for a field cell")) }
                if given.isNull, leaf.required {
                    errors.append(FieldError("\(path).value", "is required and cannot be null (\(field))"))
                } else if !given.isNull {
                    switch leaf.type.validate(given) {
                    case .valid(let stored): value = stored
                    case .invalid(let why): errors.append(FieldError("\(path).value", why))
                    }
                }
            } else {
                errors.append(FieldError("\(path).field", "is not a field of \(collection.name)"))
            }
        } else if field == nil {
            errors.append(FieldError("\(path).field", "must be a field name"))
        }
        guard errors.isEmpty, let collection, let id, let field, let value, let cl, let hlc, let node else {
            return .failure(ValidationFailure(errors))
        }
        return .success(
            Change(
                collection: collection.name, id: id, field: field, value: value,
                key: CellKey(cl: cl, hlc: hlc, node: node)))
    }
}
