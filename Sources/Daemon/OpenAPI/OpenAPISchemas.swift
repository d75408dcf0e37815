import Model
import Storage

/// JSON Schemas (OpenAPI 3.1, i.e. JSON Schema 2020-12) of what the API serves and accepts, derived
/// from the catalog: a field's ``FieldType`` gives its type, bounds, format and pattern, exactly as
/// ``FieldType/validate(_:)`` checks them.
enum OpenAPISchemas {
    /// Record ids (``RecordID/isValid(_:)``; `.` and `..` alone are refused too).
    static let idPattern = "^[A-Za-z0-9._~-]{1,128}$"
    /// One line: no control characters (``FieldType/line(maxLength:)``).
    static let linePattern = #"^[^\u0000-\u001F\u007F]*$"#
    /// Free text: anything but NUL.
    static let textPattern = #"^[^\u0000]*$"#
    /// An http or https URL without spaces or control characters.
    static let urlPattern = #"^[Hh][Tt][Tt][Pp][Ss]?://[^\u0000-\u0020\u007F]+$"#
    /// One `@`, a non-empty local part, a domain with a dot that neither starts nor ends it.
    static let emailPattern =
        #"^[^@\u0000-\u0020\u007F]+@[^@.\u0000-\u0020\u007F][^@\u0000-\u0020\u007F]*\.[^@\u0000-\u0020\u007F]*[^@.\u0000-\u0020\u007F]$"#
    /// Server timestamps: RFC 3339, UTC, milliseconds.
    static let timestampPattern = #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"#
    static let versionPattern = "^[0-9a-f]{16}$"

    // MARK: Collections

    /// The record as served: every field (null when unset), always present, plus the server fields.
    static func record(_ collection: CollectionSpec) -> OrderedJSON {
        var properties: [(String, OrderedJSON)] = [
            (
                "id",
                ["description": "The record's id.", "type": "string", "pattern": .string(idPattern), "readOnly": true]
            )
        ]
        for field in collection.fields {
            properties.append((field.name, responseField(field)))
        }
        properties += [
            (
                "created_at",
                timestamp("When the record was created (from its own change history, so every replica agrees).")
            ),
            ("updated_at", timestamp("When the record last changed.")),
            (
                "version",
                [
                    "description": "Changes on every write; the ETag, quoted.", "type": "string",
                    "pattern": .string(versionPattern), "readOnly": true,
                ]
            ),
        ]
        return .object([
            ("type", "object"),
            ("description", .string(collection.summary)),
            ("required", .array(properties.map { .string($0.0) })),
            ("additionalProperties", false),
            ("properties", .object(properties)),
        ])
    }

    /// What `POST /v1/<collection>` accepts.
    static func create(_ collection: CollectionSpec) -> OrderedJSON {
        var properties: [(String, OrderedJSON)] = [
            (
                "id",
                [
                    "description":
                        "Your own id for the record (an offline front end makes its own); the server makes a UUID when it is omitted. `.` and `..` are refused.",
                    "type": "string", "pattern": .string(idPattern),
                ]
            )
        ]
        for field in collection.fields where !field.readOnly {
            var schema = requestField(field)
            if !field.defaultValue.isNull { schema.set("default", OrderedJSON(field.defaultValue)) }
            properties.append((field.name, schema))
        }
        let required = collection.fields.filter(\.required).map { OrderedJSON.string($0.name) }
        let readOnly = collection.fields.filter(\.readOnly).map { "`\($0.name)`" }
        var description =
            "What `POST /v1/\(collection.name)` accepts. Omitted fields get their default (else null); unknown fields, the server fields (`created_at`, `updated_at`, `version`)"
        description += readOnly.isEmpty ? "" : ", read-only fields (\(readOnly.joined(separator: ", ")))"
        description += " and invalid values are refused together with 422."
        var schema: [(String, OrderedJSON)] = [("type", "object"), ("description", .string(description))]
        if !required.isEmpty { schema.append(("required", .array(required))) }
        schema += [("additionalProperties", false), ("properties", .object(properties))]
        return .object(schema)
    }

    /// What `PATCH /v1/<collection>/{id}` accepts: a JSON merge patch.
    static func patch(_ collection: CollectionSpec) -> OrderedJSON {
        let properties = collection.fields.filter { !$0.readOnly }.map { ($0.name, requestField($0)) }
        let path = collection.isSingleton ? "/v1/\(collection.name)" : "/v1/\(collection.name)/{id}"
        var description =
            "What `PATCH \(path)` accepts: a JSON merge patch (RFC 7396). Only the fields sent change; null clears a field"
        if collection.fields.contains(where: \.required) { description += " (required fields cannot be cleared)" }
        if collection.fields.contains(where: { if case .object = $0.type { true } else { false } }) {
            description += "; a nested object merges leaf by leaf, and null clears all its leaves"
        }
        description += "."
        return .object([
            ("type", "object"),
            ("description", .string(description)),
            ("additionalProperties", false),
            ("properties", .object(properties)),
        ])
    }

    /// A record in a document `POST /v1/import` accepts: the fields as for a create (read-only ones
    /// too), with the id and the timestamps required.
    static func importRecord(_ collection: CollectionSpec) -> OrderedJSON {
        let id: OrderedJSON =
            collection.isSingleton
            ? ["description": .string("Always `\(Catalog.profileID)`."), "const": .string(Catalog.profileID)]
            : ["description": "The record's id.", "type": "string", "pattern": .string(idPattern)]
        var properties: [(String, OrderedJSON)] = [("id", id)]
        for field in collection.fields {
            var schema = requestField(field)
            if !field.defaultValue.isNull { schema.set("default", OrderedJSON(field.defaultValue)) }
            properties.append((field.name, schema))
        }
        func timestamp(_ description: String) -> OrderedJSON {
            ["description": .string(description), "type": "string", "format": "date-time"]
        }
        properties += [
            (
                "created_at",
                timestamp(
                    "When the record was created: an RFC 3339 date-time from 1970 on, at most 5 minutes ahead of the server's clock."
                )
            ),
            (
                "updated_at",
                timestamp(
                    "When it last changed: not before `created_at`, at most 5 minutes ahead of the server's clock.")
            ),
            ("version", ["description": "Ignored: the version is recomputed.", "type": "string"]),
        ]
        let required = ["id"] + collection.fields.filter(\.required).map(\.name) + ["created_at", "updated_at"]
        return .object([
            ("type", "object"),
            (
                "description",
                .string(
                    "A `\(collection.name)` record to import: the fields as for a create (omitted ones get their default, else null), with its id and timestamps; unknown fields are refused with 422."
                )
            ),
            ("required", .array(required.map(OrderedJSON.string))),
            ("additionalProperties", false),
            ("properties", .object(properties)),
        ])
    }

    /// One page of a list.
    static func list(_ collection: CollectionSpec) -> OrderedJSON {
        [
            "type": "object",
            "description": .string(
                "A page of \(collection.name.replacingOccurrences(of: "-", with: " ")), in `sort` order."),
            "required": ["items", "next_cursor"],
            "additionalProperties": false,
            "properties": [
                "items": [
                    "type": "array", "maxItems": .int(Int64(ListQuery.limits.upperBound)),
                    "items": ["$ref": .string(ref(collection.schemaName))],
                ],
                "next_cursor": [
                    "type": ["string", "null"],
                    "description": "Pass as `cursor` (with the same `sort`) for the next page; null on the last page.",
                ],
            ],
        ]
    }

    // MARK: Fields

    /// A field as served: nullable, required fields too; a nested object is always an object whose
    /// leaves are all present.
    ///
    /// Every write of this replica sets the required fields, but a record's existence is its causal
    /// length (see the `sync` tag): cells of a record that arrive without its create, or a create whose
    /// field cells a compacted log sends on a later page, make it visible before those fields are set.
    private static func responseField(_ field: FieldSpec) -> OrderedJSON {
        var schema: OrderedJSON
        if case .object(let children) = field.type {
            let properties = children.map { ($0.name, responseField($0)) }
            schema = .object([
                ("type", "object"),
                ("required", .array(children.map { .string($0.name) })),
                ("additionalProperties", false),
                ("properties", .object(properties)),
            ])
        } else {
            schema = typeSchema(field.type, nullable: true, served: true)
        }
        annotate(&schema, field, served: true)
        if field.readOnly { schema.set("readOnly", true) }
        return schema
    }

    /// A field in a create or patch body: nullable unless required; a nested object may be sent
    /// partly, or as null.
    private static func requestField(_ field: FieldSpec) -> OrderedJSON {
        var schema: OrderedJSON
        if case .object(let children) = field.type {
            let properties = children.filter { !$0.readOnly }.map { ($0.name, requestField($0)) }
            schema = .object([
                ("type", ["object", "null"]),
                ("additionalProperties", false),
                ("properties", .object(properties)),
            ])
        } else {
            schema = typeSchema(field.type, nullable: !field.required)
        }
        annotate(&schema, field)
        return schema
    }

    private static func annotate(_ schema: inout OrderedJSON, _ field: FieldSpec, served: Bool = false) {
        var description = field.summary
        if let target = field.type.referencedCollection {
            let what =
                field.type == .reference(target)
                ? "The id of a live `\(target)` record" : "Ids of live `\(target)` records"
            description += (description.isEmpty ? "" : " ") + what + "; a dangling id is refused with 422."
        }
        if served, field.required {
            description +=
                (description.isEmpty ? "" : " ")
                + "Required: every create sets it and no write clears it. Null only in a record that sync made visible before the cell setting it arrived (see the `sync` tag)."
        }
        if !description.isEmpty, case .object(let members) = schema {
            // The description first: the field reads like documentation, then its constraints.
            schema = .object([OrderedJSON.Member(key: "description", value: .string(description))] + members)
        }
    }

    /// The schema of a value of `type` (not an object), as ``FieldType/validate(_:)`` accepts it.
    ///
    /// `served` describes the value as the server stores and serves it, which must admit everything
    /// it accepts: `validate` checks URLs and emails by a few rules and byte lengths, looser than the
    /// `uri` and `email` formats, so those formats (and a length in characters that is exact only for
    /// ASCII) are claimed for what clients send, not for what they get back. Date-times come back
    /// normalized to UTC with milliseconds.
    static func typeSchema(_ type: FieldType, nullable: Bool, served: Bool = false) -> OrderedJSON {
        func typed(_ name: String) -> OrderedJSON { nullable ? [.string(name), "null"] : .string(name) }
        switch type {
        case .line(let maxLength):
            return ["type": typed("string"), "maxLength": .int(Int64(maxLength)), "pattern": .string(linePattern)]
        case .text(let maxLength):
            return ["type": typed("string"), "maxLength": .int(Int64(maxLength)), "pattern": .string(textPattern)]
        case .integer(let lo, let hi):
            return ["type": typed("integer"), "minimum": .int(lo), "maximum": .int(hi)]
        case .number(let lo, let hi):
            return ["type": typed("number"), "minimum": .double(lo), "maximum": .double(hi)]
        case .boolean:
            return ["type": typed("boolean")]
        case .date:
            return ["type": typed("string"), "format": "date"]
        case .dateTime:
            if served { return ["type": typed("string"), "format": "date-time", "pattern": .string(timestampPattern)] }
            return ["type": typed("string"), "format": "date-time"]
        case .enumeration(let values):
            return [
                "type": typed("string"), "enum": .array(values.map(OrderedJSON.string) + (nullable ? [.null] : [])),
            ]
        case .url:
            if served { return ["type": typed("string"), "maxLength": 2048, "pattern": .string(urlPattern)] }
            return [
                "type": typed("string"), "format": "uri", "minLength": 9, "maxLength": 2048,
                "pattern": .string(urlPattern),
            ]
        case .email:
            if served { return ["type": typed("string"), "maxLength": 254, "pattern": .string(emailPattern)] }
            return ["type": typed("string"), "format": "email", "maxLength": 254, "pattern": .string(emailPattern)]
        case .currency:
            return ["type": typed("string"), "pattern": "^[A-Z]{3}$"]
        case .reference:
            return ["type": typed("string"), "pattern": .string(idPattern)]
        case .references:
            return [
                "type": typed("array"), "maxItems": 100, "uniqueItems": true,
                "items": ["type": "string", "pattern": .string(idPattern)],
            ]
        case .tags:
            return [
                "type": typed("array"), "maxItems": 50,
                "items": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": .string(linePattern)],
            ]
        case .object:
            return ["type": typed("object")]
        }
    }

    private static func timestamp(_ description: String) -> OrderedJSON {
        [
            "description": .string(description), "type": "string", "format": "date-time",
            "pattern": .string(timestampPattern), "readOnly": true,
        ]
    }

    static func ref(_ schema: String) -> String { "#/components/schemas/\(schema)" }
}

extension CollectionSpec {
    /// One record's name, singular: `value`, `value-assessment`, `compensation-research`.
    var singularName: String {
        if name.hasSuffix("ies") { return name.dropLast(3) + "y" }
        if name.hasSuffix("ches") || name.hasSuffix("shes") { return String(name.dropLast(2)) }
        if name.hasSuffix("s") { return String(name.dropLast()) }
        return name
    }

    /// The schema name of one record: `Value`, `CompensationResearch`, `Opportunity`.
    var schemaName: String { Self.pascalCase(singularName) }

    /// The collection's name in PascalCase: `Values`, `CompensationResearch`.
    var pluralSchemaName: String { Self.pascalCase(name) }

    /// One record in prose, with its article: `a value`, `an opportunity`, `a compensation research record`.
    var aRecord: String {
        var words = singularName.replacingOccurrences(of: "-", with: " ")
        if singularName == name { words += " record" }
        return ("aeiou".contains(words.first!) ? "an " : "a ") + words
    }

    private static func pascalCase(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
