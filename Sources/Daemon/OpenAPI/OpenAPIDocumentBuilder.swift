import Model
import Storage

/// Builds the OpenAPI 3.1 description of the API, served at `/openapi.yaml`, from the catalog
/// (``Catalog/all``: schemas, filters, sorts) and the routes ``Route`` dispatches: every path, every
/// operation, every response an operation really gives. `jobprepd openapi` prints it; the committed
/// `openapi.yaml` is its output, and a test fails when the two differ.
struct OpenAPIDocumentBuilder {
    /// The 400 of an endpoint that takes no query parameters (``Problem/noQueryParameters``).
    static let noQueryParameters: (ErrorResponse, String?) = (.badRequest, noQueryDescription)
    static let noQueryDescription = "The request has a query string (`bad-request`); this endpoint takes none."

    static let apiVersion = "0.1.0"

    typealias ErrorResponse = OpenAPIComponents.ErrorResponse

    /// The document as YAML, ready to commit or serve.
    static func yaml() -> String { YAMLWriter().string(OpenAPIDocumentBuilder().build()) }

    func build() -> OrderedJSON {
        [
            "openapi": "3.1.0",
            "info": info,
            "servers": [["url": "http://127.0.0.1:8787", "description": "The default address (`--host`, `--port`)."]],
            "security": [["bearerAuth": []]],
            "tags": tags,
            "paths": paths,
            "components": components,
        ]
    }

    // MARK: Top level

    private var info: OrderedJSON {
        [
            "title": "JobPrep",
            "version": .string(Self.apiVersion),
            "summary": "A local REST daemon for preparing a job search.",
            "description": """
            JobPrep (`jobprepd`) keeps one person's job-search preparation in SQLite and serves it here: \
            values, target industries, compensation research, pitches, companies and how they fit your \
            values, contacts, opportunities and activities, interview questions with rehearsed answers, \
            project stories, strengths and weaknesses, job boards, and the profile.

            Authentication: every `/v1` call needs `Authorization: Bearer <token>` (the first token is \
            written to `<data-dir>/token`; `jobprepd token` makes more). A token with scope `read` can \
            only read; one with scope `sync` can only sync (pull, push, status, events). `/healthz`, \
            `/openapi.yaml` and `/metrics` need no token.

            Records: every record has every field of its collection (null when unset) plus `id`, \
            `created_at`, `updated_at` (RFC 3339 UTC with milliseconds) and `version`, which changes on \
            every write and is the record's `ETag`. Create with `POST /v1/<collection>` (choose your own \
            `id`, or let the server make a time-ordered UUID, version 7), change with `PATCH` (a JSON merge \
            patch), and make writes conditional with `If-Match`. References must name live records. \
            `POST /v1/batch` applies several writes in one transaction.

            Views (tag `views`) compute what to read from the data: the readiness checklist, an \
            interview briefing, full-text search, and the whole dataset as an export that \
            `POST /v1/import` takes back. Replicas and offline front ends sync through the change \
            feed, push, status and event stream (tag `sync`, whose description is the protocol), and \
            `GET /v1/<collection>/{id}/history` keeps every value a write or a merge displaced.

            Errors are `application/problem+json` (RFC 9457) whose `type` is \
            `urn:jobprep:problem:<kind>`; validation errors list every refused field in `errors`. A \
            method a path does not take is answered 405 with `Allow`; `HEAD` goes wherever `GET` does. \
            Requests whose `Host` is not the bound address, localhost or a configured name are refused \
            with 403. CORS is off unless origins are configured (`--cors-origin`).
            """,
        ]
    }

    private var tags: OrderedJSON {
        var tags: [OrderedJSON] = Catalog.all.map { ["name": .string($0.name), "description": .string($0.summary)] }
        tags.append(["name": "batch", "description": "Several writes in one transaction."])
        tags.append([
            "name": "views",
            "description":
                "Views computed from the data: the readiness checklist, an interview briefing, full-text search, and the whole dataset as an export (or a printable prep sheet) that `POST /v1/import` takes back.",
        ])
        tags.append(["name": "sync", "description": .string(OpenAPISyncSchemas.protocolDescription)])
        tags.append(["name": "system", "description": "Health, metrics and this document; no token needed."])
        return .array(tags)
    }

    private var paths: OrderedJSON {
        var paths: [(String, OrderedJSON)] = []
        for collection in Catalog.all {
            if collection.isSingleton {
                paths.append(("/v1/\(collection.name)", singletonPath(collection)))
                paths.append(("/v1/\(collection.name)/history", historyPath(collection)))
            } else {
                paths.append(("/v1/\(collection.name)", collectionPath(collection)))
                paths.append(("/v1/\(collection.name)/{id}", recordPath(collection)))
                paths.append(("/v1/\(collection.name)/{id}/history", historyPath(collection)))
            }
        }
        paths.append(("/v1/batch", batchPath))
        paths += viewPaths
        paths += syncPaths
        paths += systemPaths
        return .object(paths)
    }

    private var components: OrderedJSON {
        var schemas: [(String, OrderedJSON)] = []
        for collection in Catalog.all {
            schemas.append((collection.schemaName, OpenAPISchemas.record(collection)))
            if !collection.isSingleton {
                schemas.append((collection.schemaName + "Create", OpenAPISchemas.create(collection)))
            }
            schemas.append((collection.schemaName + "Patch", OpenAPISchemas.patch(collection)))
            if !collection.isSingleton {
                schemas.append((collection.schemaName + "List", OpenAPISchemas.list(collection)))
            }
        }
        schemas += [
            ("Problem", OpenAPIComponents.problem),
            ("FieldError", OpenAPIComponents.fieldError),
            ("BatchRequest", OpenAPIComponents.batchRequest()),
            ("BatchResult", OpenAPIComponents.batchResult()),
            ("BatchOperationProblem", OpenAPIComponents.batchOperationProblem),
            ("Health", OpenAPIComponents.health),
        ]
        schemas += OpenAPIViewSchemas.schemas
        schemas += OpenAPISyncSchemas.schemas
        let variants = OpenAPIViewSchemas.variants + OpenAPISyncSchemas.variants
        var examples = OpenAPIExamples.components.members ?? []
        examples += (OpenAPIViewExamples.components + OpenAPISyncExamples.components).map {
            OrderedJSON.Member(key: $0.0, value: $0.1)
        }
        return [
            "schemas": .object(schemas),
            "parameters": OpenAPIComponents.parameters,
            "headers": OpenAPIComponents.headers,
            "responses": .object(
                ErrorResponse.allCases.map { ($0.name, $0.component) } + variants.map { ($0.name, $0.component) }),
            "examples": .object(examples),
            "securitySchemes": [
                "bearerAuth": [
                    "type": "http", "scheme": "bearer",
                    "description":
                        "A token from `<data-dir>/token` or `jobprepd token create`, with scope `read`, `write` or `sync`.",
                ]
            ],
        ]
    }

    // MARK: Collections

    private func collectionPath(_ collection: CollectionSpec) -> OrderedJSON {
        let name = collection.name
        let schema = collection.schemaName
        let records = name.replacingOccurrences(of: "-", with: " ")
        var sortValues: [OrderedJSON] = []
        for field in ["id", "created_at", "updated_at"] + collection.sortableFields.map(\.name) {
            sortValues += [.string(field), .string("-" + field)]
        }
        var parameters: [OrderedJSON] = [
            ["$ref": "#/components/parameters/Limit"],
            ["$ref": "#/components/parameters/Cursor"],
            [
                "name": "sort", "in": "query",
                "description":
                    "The order: a field ascending, or with `-` descending; ties are broken by `id`. Nulls sort first.",
                "schema": ["type": "string", "enum": .array(sortValues), "default": .string(ListQuery().sortField)],
            ],
        ]
        for field in collection.filterableFields {
            parameters.append([
                "name": .string(field.name), "in": "query",
                "description": .string("Only records whose `\(field.name)` equals this value."),
                "schema": OpenAPISchemas.typeSchema(field.type, nullable: false),
            ])
        }
        var listMedia: [(String, OrderedJSON)] = [("schema", ["$ref": .string(OpenAPISchemas.ref(schema + "List"))])]
        if collection.name == Catalog.values.name {
            listMedia.append(("examples", ["page": ["$ref": "#/components/examples/ValueList"]]))
        }
        let list = operation(
            "list\(collection.pluralSchemaName)", tag: name, summary: "List \(records)",
            description:
                "A page of \(records), in `sort` order, filtered by equality on any of the query parameters below; follow `next_cursor` for the next page. Any other query parameter is refused with 400.",
            parameters: parameters,
            responses: [
                (
                    "200",
                    [
                        "description": .string("A page of \(records)."),
                        "content": ["application/json": .object(listMedia)],
                    ]
                )
            ],
            errors: [
                (
                    .badRequest,
                    "The query string is not valid (`invalid-query`): an unknown or repeated parameter, a value of the wrong type, or a cursor given for another sort."
                ),
                (.unauthorized, nil), (.forbidden, nil), (.internalError, nil), (.unavailable, nil),
            ])

        var createMedia: [(String, OrderedJSON)] = [
            ("schema", ["$ref": .string(OpenAPISchemas.ref(schema + "Create"))])
        ]
        if let example = requestExample(collection) {
            createMedia.append(("examples", ["example": ["$ref": .string("#/components/examples/\(example)")]]))
        }
        var links: [(String, OrderedJSON)] = []
        for verb in ["get", "update", "delete"] {
            links.append(
                (
                    verb + collection.schemaName,
                    ["operationId": .string(verb + collection.schemaName), "parameters": ["id": "$response.body#/id"]]
                ))
        }
        let created: OrderedJSON = [
            "description": "Created.",
            "headers": [
                "Location": [
                    "description": "The new record's path.", "required": true,
                    "schema": ["type": "string", "pattern": .string("^/v1/\(name)/[A-Za-z0-9._~-]{1,128}$")],
                ],
                "ETag": ["$ref": "#/components/headers/ETag"],
                "Idempotent-Replayed": ["$ref": "#/components/headers/IdempotentReplayed"],
            ],
            "content": ["application/json": recordMedia(collection)],
            "links": .object(links),
        ]
        let create = operation(
            "create\(schema)", tag: name, summary: "Create \(collection.aRecord)",
            description:
                "Creates a record from the fields sent; omitted fields get their defaults. Send your own `id` (an offline front end makes its own) or let the server make a time-ordered UUID (version 7); a live record with the same id is a 409.",
            parameters: [["$ref": "#/components/parameters/IdempotencyKey"]],
            requestBody: ["required": true, "content": ["application/json": .object(createMedia)]],
            responses: [("201", created)],
            errors: [
                (
                    .badRequest,
                    "The body is not JSON (`malformed-json`), or `Idempotency-Key` is not 1–255 visible ASCII characters (`bad-request`)."
                ),
                (.unauthorized, nil), (.forbidden, nil), (.conflict, nil), (.payloadTooLarge, nil),
                (.unsupportedMediaType, nil),
                (
                    .validationFailed,
                    "The body is not a valid create (see `errors`), or `Idempotency-Key` was already used for a different request."
                ),
                (.internalError, nil), (.unavailable, nil), (.storageFull, nil),
            ])
        return ["get": list, "post": create]
    }

    private func recordPath(_ collection: CollectionSpec) -> OrderedJSON {
        let name = collection.name
        let schema = collection.schemaName
        let get = operation(
            "get\(schema)", tag: name, summary: "Get \(collection.aRecord)",
            parameters: [["$ref": "#/components/parameters/IfNoneMatch"]],
            responses: recordReadResponses(collection),
            errors: [
                Self.noQueryParameters,
                (.unauthorized, nil), (.forbidden, nil), (.notFound, nil), (.internalError, nil), (.unavailable, nil),
            ])
        let patch = operation(
            "update\(schema)", tag: name, summary: "Change \(collection.aRecord)",
            description: "Applies a JSON merge patch: only the fields sent change, null clears a field.",
            parameters: [["$ref": "#/components/parameters/IfMatch"]],
            requestBody: patchBody(collection),
            responses: [("200", recordResponse(collection, "The record as changed."))],
            errors: [
                (.badRequest, "The body is not JSON (`malformed-json`)."),
                (.unauthorized, nil), (.forbidden, nil), (.notFound, nil), (.preconditionFailed, nil),
                (.payloadTooLarge, nil), (.unsupportedMediaType, nil), (.validationFailed, nil),
                (.internalError, nil), (.unavailable, nil), (.storageFull, nil),
            ])
        let delete = operation(
            "delete\(schema)", tag: name, summary: "Delete \(collection.aRecord)",
            description:
                "Deletes the record. Records that point at it keep their reference, which then dangles (sync cannot forbid a delete).",
            parameters: [["$ref": "#/components/parameters/IfMatch"]],
            responses: [("204", ["description": "Deleted."])],
            errors: [
                (.unauthorized, nil), (.forbidden, nil), (.notFound, nil), (.preconditionFailed, nil),
                (.internalError, nil), (.unavailable, nil), (.storageFull, nil),
            ])
        return [
            "parameters": [["$ref": "#/components/parameters/RecordID"]],
            "get": get, "patch": patch, "delete": delete,
        ]
    }

    private func singletonPath(_ collection: CollectionSpec) -> OrderedJSON {
        let name = collection.name
        let schema = collection.schemaName
        let get = operation(
            "get\(schema)", tag: name, summary: "Get the \(name)",
            description: "The \(name) always exists; a new dataset starts with every field null.",
            parameters: [["$ref": "#/components/parameters/IfNoneMatch"]],
            responses: recordReadResponses(collection),
            errors: [
                Self.noQueryParameters,
                (.unauthorized, nil), (.forbidden, nil), (.internalError, nil), (.unavailable, nil),
            ])
        let patch = operation(
            "update\(schema)", tag: name, summary: "Change the \(name)",
            description:
                "Applies a JSON merge patch: only the fields sent change, null clears a field, and nested objects merge leaf by leaf.",
            parameters: [["$ref": "#/components/parameters/IfMatch"]],
            requestBody: patchBody(collection),
            responses: [("200", recordResponse(collection, "The \(name) as changed."))],
            errors: [
                (.badRequest, "The body is not JSON (`malformed-json`)."),
                (.unauthorized, nil), (.forbidden, nil), (.preconditionFailed, nil), (.payloadTooLarge, nil),
                (.unsupportedMediaType, nil), (.validationFailed, nil), (.internalError, nil), (.unavailable, nil),
                (.storageFull, nil),
            ])
        return ["get": get, "patch": patch]
    }

    private func recordReadResponses(_ collection: CollectionSpec) -> [(String, OrderedJSON)] {
        [
            ("200", recordResponse(collection, "The record.")),
            (
                "304",
                [
                    "description": "Not modified: `If-None-Match` names the current version.",
                    "headers": ["ETag": ["$ref": "#/components/headers/ETag"]],
                ]
            ),
        ]
    }

    private func recordResponse(_ collection: CollectionSpec, _ description: String) -> OrderedJSON {
        [
            "description": .string(description),
            "headers": ["ETag": ["$ref": "#/components/headers/ETag"]],
            "content": ["application/json": recordMedia(collection)],
        ]
    }

    private func recordMedia(_ collection: CollectionSpec) -> OrderedJSON {
        var media: [(String, OrderedJSON)] = [("schema", ["$ref": .string(OpenAPISchemas.ref(collection.schemaName))])]
        if collection.name == Catalog.values.name || collection.name == Catalog.opportunities.name {
            media.append(("examples", ["example": ["$ref": .string("#/components/examples/\(collection.schemaName)")]]))
        }
        return .object(media)
    }

    private func patchBody(_ collection: CollectionSpec) -> OrderedJSON {
        let schema: OrderedJSON = ["schema": ["$ref": .string(OpenAPISchemas.ref(collection.schemaName + "Patch"))]]
        return [
            "required": true,
            "content": .object(API.patchMediaTypes.map { ($0, schema) }),
        ]
    }

    private func requestExample(_ collection: CollectionSpec) -> String? {
        switch collection.name {
        case Catalog.values.name: return "ValueCreate"
        case Catalog.opportunities.name: return "OpportunityCreate"
        default: return nil
        }
    }

    // MARK: Batch and system

    private var batchPath: OrderedJSON {
        let failed =
            "Operation `failed_operation` failed with this status, so nothing was applied; `results` holds its problem and 424 for every other operation."
        let apply = operation(
            "applyBatch", tag: "batch", summary: "Apply several writes in one transaction",
            description:
                "Creates, patches and deletes in one transaction: all are applied, or none. Every operation is checked before anything is written, and every problem is reported at once.",
            requestBody: [
                "required": true,
                "content": ["application/json": ["schema": ["$ref": .string(OpenAPISchemas.ref("BatchRequest"))]]],
            ],
            responses: [
                (
                    "200",
                    [
                        "description": "Every operation was applied.",
                        "content": [
                            "application/json": ["schema": ["$ref": .string(OpenAPISchemas.ref("BatchResult"))]]
                        ],
                    ]
                )
            ],
            errors: [
                (.badRequest, "The body is not JSON (`malformed-json`)."),
                (.unauthorized, nil), (.forbidden, nil), (.notFound, failed), (.conflict, failed),
                (.preconditionFailed, failed), (.payloadTooLarge, nil), (.unsupportedMediaType, nil),
                (
                    .validationFailed,
                    "The batch is not valid (every refused operation is in `errors`, e.g. `operations[1].body.name`), or an operation failed validation while applying (`failed_operation`)."
                ),
                (.internalError, nil), (.unavailable, nil), (.storageFull, nil),
            ])
        return ["post": apply]
    }

    private var systemPaths: [(String, OrderedJSON)] {
        let errors: [(ErrorResponse, String?)] = [
            (.forbidden, "The `Host` header names a host the daemon does not serve (`host-not-allowed`)."),
            (.internalError, nil), (.unavailable, nil),
        ]
        let health = operation(
            "getHealth", tag: "system", summary: "Is the daemon up?", security: [],
            responses: [
                (
                    "200",
                    [
                        "description": "The daemon is serving.",
                        "content": ["application/json": ["schema": ["$ref": .string(OpenAPISchemas.ref("Health"))]]],
                    ]
                )
            ],
            errors: errors)
        let document = operation(
            "getOpenAPIDocument", tag: "system", summary: "This document", security: [],
            responses: [
                (
                    "200",
                    [
                        "description": "The OpenAPI description of the API, as YAML.",
                        "content": ["application/yaml": ["schema": ["type": "object"]]],
                    ]
                )
            ],
            errors: errors)
        let metrics = operation(
            "getMetrics", tag: "system", summary: "Metrics in the Prometheus text format", security: [],
            description:
                "Requests by route template, method and status, a latency histogram, change cells applied, writes and the group commits that carried them, sync runs, the read cache's hits, misses and bytes, parked long-polls, open event streams, and the daemon's resident memory.",
            responses: [
                (
                    "200",
                    [
                        "description": "The metrics (`text/plain; version=0.0.4`).",
                        "content": ["text/plain": ["schema": ["type": "string"]]],
                    ]
                )
            ],
            errors: errors)
        return [
            ("/healthz", ["get": health]),
            ("/openapi.yaml", ["get": document]),
            ("/metrics", ["get": metrics]),
        ]
    }

    // MARK: Operations

    /// An operation: success responses first, then its error statuses in order, each a reference to
    /// the shared response, with a description of its own where this operation answers it for a
    /// narrower reason.
    func operation(
        _ id: String, tag: String, summary: String, security: OrderedJSON? = nil, description: String? = nil,
        parameters: [OrderedJSON] = [], requestBody: OrderedJSON? = nil, responses: [(String, OrderedJSON)],
        errors: [(ErrorResponse, String?)], variants: [OpenAPIComponents.ErrorVariant] = []
    ) -> OrderedJSON {
        var operation: [(String, OrderedJSON)] = [
            ("tags", [.string(tag)]), ("summary", .string(summary)),
        ]
        if let description { operation.append(("description", .string(description))) }
        operation.append(("operationId", .string(id)))
        if let security { operation.append(("security", security)) }
        if !parameters.isEmpty { operation.append(("parameters", .array(parameters))) }
        if let requestBody { operation.append(("requestBody", requestBody)) }
        var failures: [(status: Int, ref: OrderedJSON)] = errors.map { error, description in
            var ref = error.ref
            if let description { ref.set("description", .string(description)) }
            return (error.status, ref)
        }
        failures += variants.map { ($0.base.status, $0.ref) }
        var all = responses
        for failure in failures.sorted(by: { $0.status < $1.status }) {
            all.append((String(failure.status), failure.ref))
        }
        operation.append(("responses", .object(all)))
        return .object(operation)
    }
}
