import Model
import Storage

/// The reusable parts of the OpenAPI document: the problem and batch schemas, parameters, headers
/// and error responses shared by every operation.
enum OpenAPIComponents {
    // MARK: Errors

    /// An error status an operation can answer, with the problem types it answers it with.
    enum ErrorResponse: CaseIterable {
        case badRequest, unauthorized, forbidden, notFound, methodNotAllowed, conflict, preconditionFailed
        case payloadTooLarge, unsupportedMediaType, validationFailed, internalError, unavailable, storageFull
        /// Sync: the caller's protocol version, schema fingerprint or node id rules out a merge.
        case incompatible
        /// Sync push: `incompatible`, or a change stamped too far ahead of the server's clock.
        case pushConflict
        /// Sync pull: the cursor is older than the compaction horizon.
        case cursorExpired

        var status: Int {
            switch self {
            case .badRequest: 400
            case .unauthorized: 401
            case .forbidden: 403
            case .notFound: 404
            case .methodNotAllowed: 405
            case .conflict, .incompatible, .pushConflict: 409
            case .cursorExpired: 410
            case .preconditionFailed: 412
            case .payloadTooLarge: 413
            case .unsupportedMediaType: 415
            case .validationFailed: 422
            case .internalError: 500
            case .unavailable: 503
            case .storageFull: 507
            }
        }

        /// The component's name under `#/components/responses`.
        var name: String {
            switch self {
            case .badRequest: "BadRequest"
            case .unauthorized: "Unauthorized"
            case .forbidden: "Forbidden"
            case .notFound: "NotFound"
            case .methodNotAllowed: "MethodNotAllowed"
            case .conflict: "Conflict"
            case .preconditionFailed: "PreconditionFailed"
            case .payloadTooLarge: "PayloadTooLarge"
            case .unsupportedMediaType: "UnsupportedMediaType"
            case .validationFailed: "ValidationFailed"
            case .internalError: "InternalError"
            case .unavailable: "Unavailable"
            case .storageFull: "StorageFull"
            case .incompatible: "Incompatible"
            case .pushConflict: "PushConflict"
            case .cursorExpired: "CursorExpired"
            }
        }

        /// The `type` URIs answered with this status (`about:blank` comes from the HTTP layer).
        var problemTypes: [String] {
            switch self {
            case .badRequest: ["malformed-json", "invalid-query", "bad-request"].map(urn)
            case .unauthorized: [urn("unauthorized")]
            case .forbidden: ["forbidden", "host-not-allowed"].map(urn)
            case .notFound: [urn("not-found")]
            case .methodNotAllowed: [urn("method-not-allowed")]
            case .conflict: [urn("conflict")]
            case .preconditionFailed: [urn("precondition-failed")]
            case .payloadTooLarge: ["about:blank"]
            case .unsupportedMediaType: [urn("unsupported-media-type")]
            case .validationFailed: [urn("validation")]
            case .internalError: [urn("internal"), "about:blank"]
            case .unavailable: [urn("unavailable"), "about:blank"]
            case .storageFull: [urn("storage-full")]
            case .incompatible: [urn("incompatible")]
            case .pushConflict: ["incompatible", "clock-skew"].map(urn)
            case .cursorExpired: [urn("cursor-expired")]
            }
        }

        var description: String {
            switch self {
            case .badRequest:
                "The request is malformed: a body that is not JSON (`malformed-json`), a query string this endpoint does not take (`invalid-query`), or a bad header such as `Idempotency-Key` (`bad-request`)."
            case .unauthorized:
                "No token, or a token that is unknown or revoked. Send `Authorization: Bearer <token>`; the first token is in `<data-dir>/token`."
            case .forbidden:
                "The token's scope does not allow this (`forbidden`), or the `Host` header names a host the daemon does not serve (`host-not-allowed`, the DNS-rebinding guard)."
            case .notFound: "No live record has this id, or no route has this path."
            case .methodNotAllowed: "The path exists but does not take this method; `Allow` lists those it takes."
            case .conflict: "A live record already has the id the create names: PATCH it, or choose another id."
            case .preconditionFailed:
                "`If-Match` does not name the record's current version; `ETag` carries the current one. Nothing was written."
            case .payloadTooLarge:
                "The request body is larger than the daemon's limit (`--max-body`, 1 MiB by default; `--max-import-body`, 16 MiB, for `POST /v1/import`); the connection is closed."
            case .unsupportedMediaType:
                "The body's `Content-Type` is missing, not one this operation takes, or not UTF-8."
            case .validationFailed:
                "The body is well-formed JSON but not acceptable: `errors` names every field that is unknown, read-only, of the wrong type, out of range, missing, or a reference to a record that does not exist."
            case .internalError: "A bug or a broken disk; nothing was half-applied."
            case .unavailable:
                "The daemon is shutting down, or cannot serve right now (a search waits up to 10 s for the search index to catch up with the writes before it, and gets this if it has not); retry later."
            case .storageFull: "The database cannot grow (disk full). Nothing was written; reads still work."
            case .incompatible:
                "The replicas cannot merge (`incompatible`): the call's `protocol` is not the one this server speaks, or its `schema` fingerprint differs (the two run different jobprepd versions). Upgrade one side; never merge across versions."
            case .pushConflict:
                "Nothing of the batch was applied. `incompatible`: the `protocol` or `schema` differs from the server's, or `node_id` is the server's own (a copied database that was not given a new identity). `clock-skew`: a change's `hlc` is more than the allowed skew (5 minutes by default) ahead of the server's clock; `detail` names the sender and the skew. Fix the sender's clock, then push again."
            case .cursorExpired:
                "`since` is older than the server's compaction horizon (`log.compacted_through` in `GET /v1/sync/status`): cells the caller never saw were folded away. Pull again from `since=0` (a full resync; applying it with the merge rule never resurrects a deleted record)."
            }
        }

        var headers: [(String, OrderedJSON)] {
            switch self {
            case .unauthorized: [("WWW-Authenticate", ["$ref": "#/components/headers/WWW-Authenticate"])]
            case .methodNotAllowed: [("Allow", ["$ref": "#/components/headers/Allow"])]
            case .preconditionFailed: [("ETag", ["$ref": "#/components/headers/ETag"])]
            default: []
            }
        }

        var ref: OrderedJSON { ["$ref": .string("#/components/responses/\(name)")] }

        /// The response component: the problem, with its status and types pinned.
        var component: OrderedJSON { component(description: description, examples: examples) }

        /// Examples of the problem, made by the code that makes it for real.
        var examples: [(String, OrderedJSON)] {
            switch self {
            case .validationFailed: [("validation", ["$ref": "#/components/examples/ValidationProblem"])]
            case .incompatible: [("schema", ["$ref": "#/components/examples/IncompatibleProblem"])]
            case .pushConflict:
                [
                    ("clock-skew", ["$ref": "#/components/examples/ClockSkewProblem"]),
                    ("schema", ["$ref": "#/components/examples/IncompatibleProblem"]),
                ]
            case .cursorExpired: [("expired", ["$ref": "#/components/examples/CursorExpiredProblem"])]
            default: []
            }
        }

        /// The problem response with this status and these types, described for one use.
        func component(
            description: String, types: [String]? = nil, examples: [(String, OrderedJSON)]
        ) -> OrderedJSON {
            var response: [(String, OrderedJSON)] = [("description", .string(description))]
            if !headers.isEmpty { response.append(("headers", .object(headers))) }
            var media: [(String, OrderedJSON)] = [
                (
                    "schema",
                    [
                        "allOf": [
                            ["$ref": .string(OpenAPISchemas.ref("Problem"))],
                            [
                                "properties": [
                                    "type": ["enum": .array((types ?? problemTypes).map(OrderedJSON.string))],
                                    "status": ["const": .int(Int64(status))],
                                ]
                            ],
                        ]
                    ]
                )
            ]
            if !examples.isEmpty { media.append(("examples", .object(examples))) }
            response.append(("content", ["application/problem+json": .object(media)]))
            return .object(response)
        }

        func urn(_ kind: String) -> String { "urn:jobprep:problem:\(kind)" }
    }

    /// An error response that a few operations give for a narrower reason than the shared one: the
    /// shared status and schema, with a description, problem types and examples of its own.
    struct ErrorVariant {
        /// The component's name under `#/components/responses`.
        let name: String
        let base: ErrorResponse
        let description: String
        /// The problem kinds (`bad-request`), when narrower than the base's.
        var kinds: [String]? = nil
        /// Examples made by the code that makes the problem for real.
        var examples: [(name: String, summary: String, value: JSONValue)] = []

        var ref: OrderedJSON { ["$ref": .string("#/components/responses/\(name)")] }

        var component: OrderedJSON {
            base.component(
                description: description, types: kinds.map { $0.map(base.urn) },
                examples: examples.map { ($0.name, ["summary": .string($0.summary), "value": OrderedJSON($0.value)]) })
        }
    }

    // MARK: Shared schemas

    static let problem: OrderedJSON = [
        "type": "object",
        "description":
            "An error, as RFC 9457 problem details (`application/problem+json`). `type` names the kind of problem (`urn:jobprep:problem:<kind>`), `detail` says what to fix.",
        "required": ["type", "title", "status", "detail"],
        "additionalProperties": false,
        "properties": [
            "type": [
                "type": "string", "format": "uri",
                "description":
                    "`urn:jobprep:problem:<kind>`; `about:blank` for the few errors the HTTP layer answers itself (413, 503 while shutting down).",
            ],
            "title": ["type": "string", "description": "A short, fixed summary of the kind of problem."],
            "status": ["type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status."],
            "detail": ["type": "string", "description": "What went wrong in this request, and how to fix it."],
            "errors": [
                "type": "array", "minItems": 1, "description": "For validation problems: every field refused, and why.",
                "items": ["$ref": "#/components/schemas/FieldError"],
            ],
            "failed_operation": [
                "type": "integer", "minimum": 0,
                "description": "Batch only: the index of the operation that failed (nothing in the batch was applied).",
            ],
            "results": [
                "type": "array",
                "description":
                    "Batch only: one entry per operation: the failed operation's problem, and status 424 for each other one.",
                "items": ["$ref": "#/components/schemas/BatchOperationProblem"],
            ],
        ],
    ]

    static let fieldError: OrderedJSON = [
        "type": "object",
        "description": "One reason a body or query was refused.",
        "required": ["field", "message"],
        "additionalProperties": false,
        "properties": [
            "field": [
                "type": "string",
                "description":
                    "The field: `name`, `compensation.currency`, `operations[2].body.title`, or empty for the body itself.",
            ],
            "message": ["type": "string", "description": "Why, as a phrase that follows the field name."],
        ],
    ]

    static let batchOperationProblem: OrderedJSON = [
        "type": "object",
        "description": "The outcome of one operation of a failed batch.",
        "required": ["status", "detail"],
        "additionalProperties": false,
        "properties": [
            "type": ["type": "string", "format": "uri"],
            "title": ["type": "string"],
            "status": [
                "type": "integer", "minimum": 400, "maximum": 599, "description": "424 for the operations not applied.",
            ],
            "detail": ["type": "string"],
            "errors": ["type": "array", "minItems": 1, "items": ["$ref": "#/components/schemas/FieldError"]],
        ],
    ]

    /// `POST /v1/batch`'s body; the paths it may write are generated from the catalog.
    static func batchRequest() -> OrderedJSON {
        let collections = Catalog.all.filter { !$0.isSingleton }.map(\.name).joined(separator: "|")
        let singletons = Catalog.all.filter(\.isSingleton).map(\.name).joined(separator: "|")
        let idPattern = OpenAPISchemas.idPattern.dropFirst().dropLast()
        let pathPattern = "^/v1/((\(collections))(/\(idPattern))?|(\(singletons)))$"
        let path: OrderedJSON = ["type": "string", "pattern": .string(pathPattern)]
        let ifMatch: OrderedJSON = [
            "type": ["string", "null"],
            "description": "Like `If-Match`: the version the record must have (`*`: it must exist).",
        ]
        return [
            "type": "object",
            "description": "Several writes applied in one transaction, all or none.",
            "required": ["operations"],
            "additionalProperties": false,
            "properties": [
                "operations": [
                    "type": "array", "minItems": 1, "maxItems": .int(Int64(API.maxBatchOperations)),
                    "items": [
                        "description":
                            "A create (`POST /v1/<collection>`), a patch (`PATCH /v1/<collection>/{id}` or `PATCH /v1/profile`) or a delete (`DELETE /v1/<collection>/{id}`).",
                        "oneOf": [
                            [
                                "title": "A create or a patch",
                                "type": "object",
                                "required": ["method", "path", "body"],
                                "additionalProperties": false,
                                "properties": [
                                    "method": ["type": "string", "enum": ["POST", "PATCH"]],
                                    "path": path,
                                    "body": [
                                        "type": "object",
                                        "description":
                                            "The body the request would take: the collection's `…Create` or `…Patch` schema.",
                                    ],
                                    "if_match": ifMatch,
                                ],
                            ],
                            [
                                "title": "A delete",
                                "type": "object",
                                "required": ["method", "path"],
                                "additionalProperties": false,
                                "properties": ["method": ["const": "DELETE"], "path": path, "if_match": ifMatch],
                            ],
                        ],
                    ],
                ]
            ],
        ]
    }

    /// `POST /v1/batch`'s answer when every operation applied.
    static func batchResult() -> OrderedJSON {
        let records = Catalog.all.map { OrderedJSON(["$ref": .string(OpenAPISchemas.ref($0.schemaName))]) }
        return [
            "type": "object",
            "required": ["results"],
            "additionalProperties": false,
            "properties": [
                "results": [
                    "type": "array",
                    "description": "One result per operation, in order.",
                    "items": [
                        "type": "object",
                        "required": ["status", "id"],
                        "additionalProperties": false,
                        "properties": [
                            "status": [
                                "type": "integer", "enum": [200, 201, 204],
                                "description": "What the single request would have answered.",
                            ],
                            "id": ["type": "string", "pattern": .string(OpenAPISchemas.idPattern)],
                            "body": [
                                "description": "The record as written (not for a delete).",
                                "anyOf": .array(records),
                            ],
                        ],
                    ],
                ]
            ],
        ]
    }

    static let health: OrderedJSON = [
        "type": "object",
        "required": ["status"],
        "additionalProperties": false,
        "properties": ["status": ["const": "ok"]],
    ]

    // MARK: Parameters and headers

    static let parameters: OrderedJSON = [
        "RecordID": [
            "name": "id", "in": "path", "required": true, "description": "The record's id.",
            "schema": ["type": "string", "pattern": .string(OpenAPISchemas.idPattern)],
        ],
        "Limit": [
            "name": "limit", "in": "query", "description": "How many records a page holds at most.",
            "schema": [
                "type": "integer", "minimum": .int(Int64(ListQuery.limits.lowerBound)),
                "maximum": .int(Int64(ListQuery.limits.upperBound)), "default": .int(Int64(ListQuery().limit)),
            ],
        ],
        "Cursor": [
            "name": "cursor", "in": "query",
            "description": "The `next_cursor` of the previous page; only valid with the same `sort`.",
            "schema": ["type": "string"],
        ],
        "IfMatch": [
            "name": "If-Match", "in": "header",
            "description":
                "Write only if the record's version is one of these entity tags (`*`: if it exists); else 412. Weak tags never match.",
            "schema": ["type": "string"],
        ],
        "IfNoneMatch": [
            "name": "If-None-Match", "in": "header",
            "description": "Answer 304 without a body if the record's version is one of these entity tags (`*`: any).",
            "schema": ["type": "string"],
        ],
        "IdempotencyKey": [
            "name": "Idempotency-Key", "in": "header",
            "description":
                "Makes a retry safe: a repeat with the same key and body returns the first response (with `Idempotent-Replayed: true`) instead of creating a second record; the same key with another body is refused with 422.",
            "schema": ["type": "string", "pattern": "^[!-~]{1,255}$"],
        ],
    ]

    static let headers: OrderedJSON = [
        "ETag": [
            "description": "The record's `version`, quoted.", "required": true,
            "schema": ["type": "string", "pattern": "^\"[0-9a-f]{16}\"$"],
        ],
        "IdempotentReplayed": [
            "description":
                "`true` when this is the saved response of an earlier request with the same `Idempotency-Key`.",
            "schema": ["type": "string", "enum": ["true"]],
        ],
        "WWW-Authenticate": [
            "description": "The scheme to use.", "required": true,
            "schema": ["type": "string", "enum": [#"Bearer realm="jobprep""#]],
        ],
        "Allow": [
            "description": "The methods the path takes.", "required": true,
            "schema": ["type": "string"],
        ],
    ]
}
