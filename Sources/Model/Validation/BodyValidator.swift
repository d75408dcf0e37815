/// What a valid create body asks for: every leaf's value, defaults filled in.
public struct CreateInput: Sendable, Equatable {
    /// The client's id, if it sent one.
    public let id: String?
    /// Every leaf of the collection, by cell name.
    public let values: [String: JSONValue]

    public init(id: String?, values: [String: JSONValue]) {
        self.id = id
        self.values = values
    }
}

/// Turns request bodies into leaf values, or into every reason they are refused.
///
/// Unknown fields, read-only fields, wrong types and missing required fields are all reported
/// together, each naming its field, so a client can fix a form in one round trip.
public enum BodyValidator {
    /// Fields every record carries that the server manages.
    public static let serverFields: Set<String> = ["id", "created_at", "updated_at", "version"]

    /// Validates a create body. `requireFields: false` accepts records as replicas may hold them:
    /// a record whose create cells have not all arrived yet serves its missing fields as null.
    public static func validateCreate(
        _ body: JSONValue, in spec: CollectionSpec, allowReadOnly: Bool = false, requireFields: Bool = true
    ) -> Result<CreateInput, ValidationFailure> {
        guard let object = body.objectValue else {
            return .failure(ValidationFailure("", "the body must be a JSON object, got \(body.typeName)"))
        }
        var errors: [FieldError] = []
        var id: String?
        if let idValue = object["id"] {
            if let s = idValue.stringValue, RecordID.isValid(s) {
                id = s
            } else {
                errors.append(FieldError("id", "must be 1–128 characters from A–Z a–z 0–9 - _ . ~"))
            }
        }
        var values = [String: JSONValue](minimumCapacity: spec.leaves.count)
        for leaf in spec.leaves { values[leaf.name] = leaf.defaultValue }
        errors += errorsInKeyOrder(object) { key, value, errors in
            guard key != "id" else { return }
            if serverFields.contains(key) {
                errors.append(FieldError(key, "is set by the server"))
                return
            }
            guard let field = spec.field(key) else {
                errors.append(FieldError(key, "is not a field of \(spec.name)"))
                return
            }
            assign(value, to: field, path: key, allowReadOnly: allowReadOnly, into: &values, errors: &errors)
        }
        for field in spec.fields where field.required && requireFields {
            if (values[field.name] ?? .null).isNull, !errors.contains(where: { $0.field == field.name }) {
                errors.append(FieldError(field.name, "is required"))
            }
        }
        return errors.isEmpty ? .success(CreateInput(id: id, values: values)) : .failure(ValidationFailure(errors))
    }

    /// Validates a JSON merge patch (RFC 7396) and returns the leaves it sets.
    public static func validatePatch(
        _ body: JSONValue, in spec: CollectionSpec
    ) -> Result<[String: JSONValue], ValidationFailure> {
        guard let object = body.objectValue else {
            return .failure(ValidationFailure("", "the body must be a JSON object, got \(body.typeName)"))
        }
        var values: [String: JSONValue] = [:]
        let errors = errorsInKeyOrder(object) { key, value, errors in
            if serverFields.contains(key) {
                errors.append(FieldError(key, "is set by the server"))
                return
            }
            guard let field = spec.field(key) else {
                errors.append(FieldError(key, "is not a field of \(spec.name)"))
                return
            }
            if field.required, value.isNull {
                errors.append(FieldError(key, "is required and cannot be null"))
                return
            }
            assign(value, to: field, path: key, allowReadOnly: false, into: &values, errors: &errors)
        }
        return errors.isEmpty ? .success(values) : .failure(ValidationFailure(errors))
    }

    /// Runs `check` on each member of `object`, in the object's own order, and returns the errors it reports ordered
    /// by member name; the sort is stable, so one member's errors keep the order `check` gave them. Clients get their
    /// errors in one order, and a valid body, the common case, is not sorted at all (PROFILE.md, session 10).
    private static func errorsInKeyOrder(
        _ object: [String: JSONValue],
        _ check: (_ key: String, _ value: JSONValue, _ errors: inout [FieldError]) -> Void
    ) -> [FieldError] {
        var keyed: [(key: String, error: FieldError)] = []
        var found: [FieldError] = []
        for (key, value) in object {
            check(key, value, &found)
            guard !found.isEmpty else { continue }
            keyed.append(contentsOf: found.map { (key, $0) })
            found.removeAll(keepingCapacity: true)
        }
        return keyed.sorted { $0.key < $1.key }.map(\.error)
    }

    /// Validates one field's value and writes its leaves; a nested object merges key by key.
    private static func assign(
        _ value: JSONValue, to field: FieldSpec, path: String, allowReadOnly: Bool,
        into values: inout [String: JSONValue], errors: inout [FieldError]
    ) {
        if field.readOnly, !allowReadOnly {
            errors.append(FieldError(path, "is read-only"))
            return
        }
        if case .object(let children) = field.type {
            switch value {
            case .null:
                for leaf in field.leaves { values[prefix(path, leaf.name, dropping: field.name)] = .null }
            case .object(let nested):
                errors += errorsInKeyOrder(nested) { key, value, errors in
                    guard let child = children.first(where: { $0.name == key }) else {
                        errors.append(FieldError("\(path).\(key)", "is not a field of \(path)"))
                        return
                    }
                    assign(
                        value, to: child, path: "\(path).\(key)", allowReadOnly: allowReadOnly, into: &values,
                        errors: &errors)
                }
            default:
                errors.append(FieldError(path, "must be an object or null, got \(value.typeName)"))
            }
            return
        }
        if value.isNull {
            values[path] = .null
            return
        }
        switch field.type.validate(value) {
        case .valid(let stored): values[path] = stored
        case .invalid(let message): errors.append(FieldError(path, message))
        }
    }

    private static func prefix(_ path: String, _ leafName: String, dropping fieldName: String) -> String {
        // `leafName` is `field.child…`; rebase it on `path` (the same for top-level objects).
        path + leafName.dropFirst(fieldName.count)
    }
}
