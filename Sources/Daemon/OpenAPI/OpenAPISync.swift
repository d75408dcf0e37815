import Model
import Storage
import Sync

/// The sync protocol (`SyncEndpoints.swift`, `SyncWire.swift`, `EventHub.swift`,
/// `HistoryEndpoint.swift`): the change feed, push, status, the event stream and field history,
/// with the change cell's schema derived from the catalog and the protocol written out.
extension OpenAPIDocumentBuilder {
    var syncPaths: [(String, OrderedJSON)] {
        [
            ("/v1/sync/changes", ["get": pullChanges, "post": pushChanges]),
            ("/v1/sync/status", ["get": syncStatus]),
            ("/v1/events", ["get": streamEvents]),
        ]
    }

    private static let hostOnly: (ErrorResponse, String?) = (
        .forbidden,
        "The `Host` header names a host the daemon does not serve (`host-not-allowed`); every token scope may call this."
    )

    private var pullChanges: OrderedJSON {
        operation(
            "pullChanges", tag: "sync", summary: "Pull the change log after a cursor",
            description: """
                The cells of the writes this server's change log holds after `since`, oldest first, as one page of \
                about `limit` cells (a write's cells are never split across pages, so a page can hold a few more). \
                Save `cursor` together with the cells it covers and pass it as `since` for the next page; repeat \
                while `has_more` is true. With `wait`, an empty answer is held until a write commits or `wait` \
                seconds pass (long-poll). Any token scope may pull.
                """,
            parameters: [
                [
                    "name": "since", "in": "query",
                    "description":
                        "The `cursor` of the previous page: a sequence of this server's change log (never an hlc). 0 or absent: from the start.",
                    "schema": ["type": "integer", "minimum": 0, "maximum": .int(Int64.max), "default": 0],
                ],
                [
                    "name": "limit", "in": "query",
                    "description":
                        "About how many cells the page holds: it stops after the write that reaches `limit` cells.",
                    "schema": [
                        "type": "integer", "minimum": 1, "maximum": .int(Int64(API.maxChangesPerPage)), "default": 1000,
                    ],
                ],
                [
                    "name": "wait", "in": "query",
                    "description":
                        "Long-poll: when nothing follows `since`, hold the request up to this many seconds until a write commits, then answer with it (or with an empty page when none came). 0: answer at once.",
                    "schema": [
                        "type": "integer", "minimum": 0, "maximum": .int(Int64(API.maxWaitSeconds)), "default": 0,
                    ],
                    "examples": ["now": ["value": 0], "briefly": ["summary": "Wait up to 2 seconds", "value": 2]],
                ],
                [
                    "name": "node_id", "in": "query",
                    "description": """
                    The caller's node id. Rows the server received from that node are left out (the caller has \
                    them), and so are the built-in seed rows (node `00000000000000000000000000000000`), which \
                    every jobprepd replica makes itself: a client that does not make the seed itself omits \
                    `node_id` (at least on its first pull from 0) and gets everything; cells it sent come back \
                    and merge as duplicates.
                    """,
                    "schema": ["type": "string", "pattern": .string(OpenAPISyncSchemas.nodePattern)],
                ],
                OpenAPISyncSchemas.protocolParameter,
                OpenAPISyncSchemas.schemaParameter,
            ],
            responses: [
                (
                    "200",
                    jsonResponse("A page of the change log.", schema: "ChangePage", examples: ["page": "ChangePage"])
                )
            ],
            errors: [
                (
                    .badRequest,
                    "`protocol` or `schema` is missing (`bad-request`), or a parameter is not valid or not one of this endpoint's (`invalid-query`; `errors` names each one)."
                ),
                (.unauthorized, nil), Self.hostOnly,
                (
                    .incompatible,
                    "`protocol` or `schema` differs from the server's (`incompatible`); nothing is served."
                ),
                (.cursorExpired, nil), (.internalError, nil), (.unavailable, nil),
            ])
    }

    private var pushChanges: OrderedJSON {
        operation(
            "pushChanges", tag: "sync", summary: "Push change cells, all or none",
            description: """
                Merges the cells into this replica with the merge rule, in one transaction: every cell is applied \
                or none. Cells are validated first (each as the `Change` schema says, values as for a create; \
                references are not checked); a cell already known, or one that loses its merge, is counted in \
                `ignored` (a loser is kept in the record's history). Pushing the same cells again is safe and \
                changes nothing. The server remembers `node_id` as the source of the rows it logs, and leaves them \
                out when that node pulls with its `node_id`. Needs a `write` or `sync` token.
                """,
            requestBody: [
                "required": true,
                "content": [
                    "application/json": [
                        "schema": ["$ref": .string(OpenAPISchemas.ref("PushRequest"))],
                        "examples": ["push": ["$ref": "#/components/examples/PushRequest"]],
                    ]
                ],
            ],
            responses: [
                (
                    "200",
                    jsonResponse(
                        "Every cell was merged: `applied` changed this replica, `ignored` did not (duplicates and losers).",
                        schema: "PushResult", examples: ["first": "PushResult", "again": "PushResultAgain"])
                )
            ],
            errors: [
                (
                    .badRequest,
                    "The body is not JSON (`malformed-json`), or `protocol` or `schema` is missing (`bad-request`)."
                ),
                (.unauthorized, nil),
                (
                    .forbidden,
                    "The token has scope `read`, which cannot push (`forbidden`), or the `Host` header names a host the daemon does not serve (`host-not-allowed`)."
                ),
                (.pushConflict, nil), (.payloadTooLarge, nil), (.unsupportedMediaType, nil), (.internalError, nil),
                (.unavailable, nil), (.storageFull, nil),
            ],
            variants: [OpenAPISyncSchemas.pushValidationFailed])
    }

    private var syncStatus: OrderedJSON {
        operation(
            "getSyncStatus", tag: "sync", summary: "This replica's identity, clock, change log and peers",
            description: """
                What a peer or a user needs to see where sync stands: the node id and current clock, the protocol \
                and schema to send, the change log's size and compaction horizon (a cursor below \
                `log.compacted_through` gets 410), and the checkpoints of the peers this replica syncs with \
                (`jobprepd sync`, `jobprepd serve --peer`). Any token scope may read it.
                """,
            responses: [
                ("200", jsonResponse("Where sync stands.", schema: "SyncStatus", examples: ["status": "SyncStatus"]))
            ],
            errors: [
                Self.noQueryParameters,
                (.unauthorized, nil), Self.hostOnly, (.internalError, nil), (.unavailable, nil),
            ])
    }

    private var streamEvents: OrderedJSON {
        operation(
            "streamEvents", tag: "sync", summary: "Server-Sent Events of the change log as it commits",
            description: """
                A `text/event-stream` that never ends by itself. Each write that commits (local, merged from a \
                peer, or imported) is one event, in log order:

                ```
                \(OpenAPISyncExamples.eventText)
                ```

                `id` and `data.cursor` are the write's log sequence: the same cursor `GET /v1/sync/changes` takes \
                as `since`. The stream opens with `retry: 2000` and a `: connected` comment, and every stream gets \
                a `: heartbeat` comment every 15 seconds. Without `since` or `Last-Event-ID` the stream starts with \
                the next write; with either it first sends every write after that sequence, so a client that \
                reconnects with the last id it saw misses nothing (`Last-Event-ID` wins over `since`). Unlike the \
                pull, the stream leaves nothing out (not the seed, not the caller's own writes). Any token scope \
                may follow it.

                The schema describes one event, as the client's SSE parser hands it over (the `itemSchema` of \
                OpenAPI 3.2): `data` is a JSON document of its own.
                """,
            parameters: [
                [
                    "name": "since", "in": "query",
                    "description":
                        "Start after this log sequence (a cursor or event id); the only query parameter taken.",
                    "schema": ["type": "integer", "minimum": 0, "maximum": .int(Int64.max)],
                ],
                [
                    "name": "Last-Event-ID", "in": "header",
                    "description": "The id of the last event received, as an EventSource sends it on reconnecting.",
                    "schema": ["type": "string", "pattern": "^[0-9]{1,18}$"],
                ],
            ],
            responses: [
                (
                    "200",
                    [
                        "description":
                            "The stream of events; it ends only when the client goes away or the daemon stops.",
                        "headers": [
                            "Cache-Control": [
                                "description": "Streams are never cached.", "required": true,
                                "schema": ["type": "string", "const": "no-cache"],
                            ]
                        ],
                        "content": [
                            "text/event-stream": [
                                "schema": ["$ref": .string(OpenAPISchemas.ref("ChangeEventMessage"))],
                                "examples": ["event": ["$ref": "#/components/examples/ChangeEventMessage"]],
                            ]
                        ],
                    ]
                )
            ],
            errors: [
                (
                    .badRequest,
                    "A query parameter other than `since=<sequence>` (`invalid-query`), or a `Last-Event-ID` that is not a sequence (`bad-request`)."
                ),
                (.unauthorized, nil), Self.hostOnly, (.internalError, nil), (.unavailable, nil),
            ])
    }

    // MARK: History

    func historyPath(_ collection: CollectionSpec) -> OrderedJSON {
        let singleton = collection.isSingleton
        var errors: [(ErrorResponse, String?)] = [
            Self.noQueryParameters,
            (.unauthorized, nil),
            (
                .forbidden,
                "The token has scope `sync`, which cannot read the dataset (`forbidden`), or the `Host` header names a host the daemon does not serve (`host-not-allowed`)."
            ),
        ]
        if !singleton { errors.append((.notFound, "No record with this id was ever seen here, alive or deleted.")) }
        errors += [(.internalError, nil), (.unavailable, nil)]
        let get = operation(
            "get\(collection.schemaName)History", tag: collection.name,
            summary: singleton
                ? "Earlier and losing values of the \(collection.name)"
                : "Earlier and losing values of \(collection.aRecord)",
            description: """
                Every value a field of this record held or was offered that is not its current value, newest first \
                within each field, with the cell's `cl`, `hlc` and `node`: values overwritten by a later write \
                (`overwritten`), values that arrived after a newer one and lost the merge (`lost_merge`), and the \
                values of an earlier life of the record, before a delete or a re-create (`earlier_life`). A value \
                another device overwrote can be recovered from here with a PATCH.
                """
                    + (singleton
                        ? " The singleton's id is `\(Catalog.profileID)`."
                        : " Answers for deleted records too (`deleted: true`)."),
            responses: [
                (
                    "200",
                    jsonResponse(
                        "The record's history.", schema: "History",
                        examples: collection.name == Catalog.values.name ? ["history": "History"] : [:])
                )
            ],
            errors: errors)
        return singleton ? ["get": get] : ["parameters": [["$ref": "#/components/parameters/RecordID"]], "get": get]
    }
}

/// The sync protocol's schemas and prose.
enum OpenAPISyncSchemas {
    static let hlcPattern = "^[0-9a-f]{16}$"
    static let nodePattern = "^[0-9a-f]{32}$"
    static let sequencePattern = "^[0-9]+$"

    static let protocolParameter: OrderedJSON = [
        "name": "protocol", "in": "query", "required": true,
        "description": "The sync protocol version the caller speaks; any other is refused with 409.",
        "schema": ["type": "integer", "enum": [.int(Int64(SyncProtocol.version))]],
    ]

    static let schemaParameter: OrderedJSON = [
        "name": "schema", "in": "query", "required": true,
        "description":
            "The caller's schema fingerprint (16 hex digits identifying the collections, fields and types); any other is refused with 409.",
        "schema": ["type": "string", "enum": [.string(Catalog.fingerprint)]],
    ]

    static let pushValidationFailed = OpenAPIComponents.ErrorVariant(
        name: "PushValidationFailed", base: .validationFailed,
        description:
            "The push is not valid; nothing was applied. `errors` names every refused member (up to 100), cells by their index: `changes[3].hlc`, `changes[0].value`.",
        examples: [("cells", "A push with two bad cells", OpenAPISyncExamples.pushProblem)])

    static let variants = [pushValidationFailed]

    static var schemas: [(String, OrderedJSON)] {
        [("Change", change), ("ExistenceChange", existenceChange)]
            + Catalog.all.map { ($0.schemaName + "Change", fieldChange($0)) }
            + [
                ("ChangePage", changePage), ("PushRequest", pushRequest), ("PushResult", pushResult),
                ("SyncStatus", syncStatus), ("ChangeEventMessage", eventMessage), ("ChangeEvent", changeEvent),
                ("History", history),
            ]
    }

    private static func ref(_ schema: String) -> OrderedJSON { ["$ref": .string(OpenAPISchemas.ref(schema))] }

    private static let odd: OrderedJSON = ["not": ["multipleOf": 2]]
    private static let even: OrderedJSON = ["multipleOf": 2]

    private static let hlc: OrderedJSON = [
        "description":
            "A hybrid logical clock reading: 12 hex digits of milliseconds since the Unix epoch, then 4 of a counter; string order is clock order.",
        "type": "string", "pattern": .string(hlcPattern),
    ]

    private static func node(_ description: String) -> OrderedJSON {
        ["description": .string(description), "type": "string", "pattern": .string(nodePattern)]
    }

    private static let collectionNames: OrderedJSON = .array(Catalog.all.map { .string($0.name) })

    // MARK: Change cells

    static var change: OrderedJSON {
        [
            "description": """
            One change cell: a field of a record set to a value at a clock reading. The greatest key \
            (`cl`, `hlc`, `node`) wins its field; an equal key is the same cell again. `field` is a leaf field \
            of the collection (the schema `<Collection>Change` lists them with their values; nested profile \
            fields as `compensation.currency`) or `_exists` (`ExistenceChange`).
            """,
            "type": "object",
            "required": ["collection", "id", "field", "value", "cl", "hlc", "node"],
            "additionalProperties": false,
            "properties": [
                "collection": ["type": "string", "enum": collectionNames],
                "id": [
                    "description": "The record's id.", "type": "string", "pattern": .string(OpenAPISchemas.idPattern),
                ],
                "field": ["description": "A leaf field of the collection, or `_exists`.", "type": "string"],
                "value": [
                    "description":
                        "The field's value (validated as for a create; null clears a field that is not required), or the record's existence for `_exists`."
                ],
                "cl": [
                    "description": .string(
                        "The record's causal length when the cell was written: odd while the record is alive, even once deleted. A create takes the next odd number, a delete the next even one, an update keeps it. A push refuses a `cl` above \(ChangeCodec.maxCausalLength) (2^53 − 1)."
                    ),
                    "type": "integer", "minimum": 1, "maximum": .int(Int64.max),
                ],
                "hlc": hlc,
                "node": node("The replica that wrote the cell; a relay keeps it, with the `hlc`."),
            ],
            "oneOf": .array(
                [ref("ExistenceChange")] + Catalog.all.map { ref($0.schemaName + "Change") }),
        ]
    }

    static var existenceChange: OrderedJSON {
        let records: OrderedJSON = ["enum": .array(Catalog.all.filter { !$0.isSingleton }.map { .string($0.name) })]
        let singletons = Catalog.all.filter(\.isSingleton)
        return [
            "title": "_exists",
            "description": .string(
                "A record's existence: `true` with an odd `cl` creates (or re-creates) it, `false` with an even `cl` deletes it. The \(singletons.map { "`\($0.name)`" }.joined(separator: ", ")) singleton exists once on every replica: id `\(Catalog.profileID)`, `true`, cl 1."
            ),
            "properties": [
                "collection": ["enum": collectionNames],
                "field": ["const": .string(Change.existenceField)],
            ],
            "oneOf": .array(
                [
                    ["title": "create", "properties": ["collection": records, "value": ["const": true], "cl": odd]],
                    ["title": "delete", "properties": ["collection": records, "value": ["const": false], "cl": even]],
                ]
                    + singletons.map { singleton -> OrderedJSON in
                        [
                            "title": .string(singleton.name),
                            "properties": [
                                "collection": ["const": .string(singleton.name)],
                                "id": ["const": .string(Catalog.profileID)], "value": ["const": true],
                                "cl": ["const": 1],
                            ],
                        ]
                    }),
        ]
    }

    /// The field cells of one collection: which fields, and what each holds.
    static func fieldChange(_ collection: CollectionSpec) -> OrderedJSON {
        let leaves = collection.leaves
        let variants: [OrderedJSON] = leaves.map { leaf in
            var value = OpenAPISchemas.typeSchema(leaf.type, nullable: !leaf.required, served: true)
            if !leaf.summary.isEmpty {
                value = .object(
                    [OrderedJSON.Member(key: "description", value: .string(leaf.summary))] + (value.members ?? []))
            }
            return [
                "title": .string(leaf.name), "properties": ["field": ["const": .string(leaf.name)], "value": value],
            ]
        }
        var description = "A field cell of `\(collection.name)` (its `cl` is odd): `value` is the field's value"
        description += leaves.contains(where: \.required) ? ", never null for a required field." : "."
        var properties: [(String, OrderedJSON)] = [
            ("collection", ["const": .string(collection.name)]),
            ("field", ["enum": .array(leaves.map { .string($0.name) })]),
            ("cl", odd),
        ]
        if collection.isSingleton {
            description += " The singleton lives once: its id is always `\(Catalog.profileID)` and its `cl` 1."
            properties += [("id", ["const": .string(Catalog.profileID)]), ("cl", ["const": 1])]
        }
        return [
            "title": .string(collection.name),
            "description": .string(description),
            "properties": .object(properties),
            "oneOf": .array(variants),
        ]
    }

    // MARK: Messages

    static var changePage: OrderedJSON {
        [
            "description": "A page of the server's change log.",
            "type": "object",
            "required": ["changes", "cursor", "has_more", "node_id", "protocol", "schema"],
            "additionalProperties": false,
            "properties": [
                "changes": ["description": "The cells, in log order.", "type": "array", "items": ref("Change")],
                "cursor": [
                    "description":
                        "The log sequence this page covers through (rows left out for `node_id` included): pass it as `since` next time. Compare it as a number, never as an hlc.",
                    "type": "string", "pattern": .string(sequencePattern),
                ],
                "has_more": ["description": "More rows follow: pull again at once.", "type": "boolean"],
                "node_id": node(
                    "The server's node id. A different one than last time means another replica (restored or replaced): start over from 0."
                ),
                "protocol": ["type": "integer", "const": .int(Int64(SyncProtocol.version))],
                "schema": ["type": "string", "const": .string(Catalog.fingerprint)],
            ],
        ]
    }

    static var pushRequest: OrderedJSON {
        [
            "description": "Cells to merge, from one sender.",
            "type": "object",
            "required": ["node_id", "protocol", "schema", "changes"],
            "additionalProperties": false,
            "properties": [
                "node_id": node("The sender's node id; refused (409) when it is the server's own."),
                "protocol": ["type": "integer", "enum": [.int(Int64(SyncProtocol.version))]],
                "schema": ["type": "string", "enum": [.string(Catalog.fingerprint)]],
                "changes": [
                    "description":
                        "The cells, the sender's own and any it relays, each with the `cl`, `hlc` and `node` it was written with.",
                    "type": "array", "items": ref("Change"),
                ],
            ],
        ]
    }

    static let pushResult: OrderedJSON = [
        "type": "object",
        "required": ["applied", "ignored"],
        "additionalProperties": false,
        "properties": [
            "applied": ["description": "Cells that changed this replica.", "type": "integer", "minimum": 0],
            "ignored": [
                "description": "Cells already known, or that lost their merge (kept in history).", "type": "integer",
                "minimum": 0,
            ],
        ],
    ]

    static var syncStatus: OrderedJSON {
        let sequence: OrderedJSON = ["type": "integer", "minimum": 0]
        return [
            "type": "object",
            "required": ["node_id", "clock", "protocol", "schema", "log", "peers"],
            "additionalProperties": false,
            "properties": [
                "node_id": node("This replica's node id."),
                "clock": hlc.with("description", "The last clock reading this replica gave or saw."),
                "protocol": ["type": "integer", "const": .int(Int64(SyncProtocol.version))],
                "schema": [
                    "description": "The schema fingerprint to send.", "type": "string",
                    "const": .string(Catalog.fingerprint),
                ],
                "log": [
                    "type": "object",
                    "required": ["last_sequence", "rows", "compacted_through"],
                    "additionalProperties": false,
                    "properties": [
                        "last_sequence": sequence.with(
                            "description", "The latest log sequence ever assigned (0: none yet)."),
                        "rows": sequence.with("description", "Writes the log holds now."),
                        "compacted_through": sequence.with(
                            "description", "Compaction horizon: a pull with `0 < since <` this gets 410."),
                    ],
                ],
                "peers": [
                    "description": "The peers this replica syncs with, by URL.",
                    "type": "array",
                    "items": [
                        "type": "object",
                        "required": [
                            "url", "node_id", "pulled_cursor", "pushed_sequence", "last_sync_at", "last_error",
                        ],
                        "additionalProperties": false,
                        "properties": [
                            "url": ["description": "The peer as given to `--peer`.", "type": "string"],
                            "node_id": [
                                "description": "The peer's node id when last seen.", "type": ["string", "null"],
                                "pattern": .string(nodePattern),
                            ],
                            "pulled_cursor": [
                                "description": "The peer's cursor this replica has pulled and applied through.",
                                "type": "string", "pattern": .string(sequencePattern),
                            ],
                            "pushed_sequence": sequence.with(
                                "description", "This replica's log sequence the peer has acknowledged through."),
                            "last_sync_at": [
                                "description": "When a pull from the peer last succeeded.", "type": ["string", "null"],
                                "format": "date-time",
                            ],
                            "last_error": ["description": "The last sync error, if any.", "type": ["string", "null"]],
                        ],
                    ],
                ],
            ],
        ]
    }

    static var eventMessage: OrderedJSON {
        [
            "description": "One event of `GET /v1/events`, as an SSE parser hands it over.",
            "type": "object",
            "required": ["event", "id", "data"],
            "additionalProperties": false,
            "properties": [
                "event": ["type": "string", "const": "change"],
                "id": [
                    "description": "The write's log sequence.", "type": "string", "pattern": .string(sequencePattern),
                ],
                "data": [
                    "description": "`ChangeEvent` as JSON, on one line.", "type": "string",
                    "contentMediaType": "application/json", "contentSchema": ref("ChangeEvent"),
                ],
                "retry": ["description": "Reconnection delay in milliseconds.", "type": "integer", "minimum": 0],
            ],
        ]
    }

    static var changeEvent: OrderedJSON {
        [
            "description": "One write, as the event stream sends it.",
            "type": "object",
            "required": ["changes", "cursor", "node_id"],
            "additionalProperties": false,
            "properties": [
                "changes": [
                    "description": "The write's cells (they share `cl`, `hlc` and `node`).", "type": "array",
                    "minItems": 1, "items": ref("Change"),
                ],
                "cursor": [
                    "description": "The write's log sequence, equal to the event's `id`.", "type": "string",
                    "pattern": .string(sequencePattern),
                ],
                "node_id": node(
                    "This server's replica id. Event ids are its log sequences: when it changes (a database restored from a backup, or moved), resume from the beginning, not from `Last-Event-ID`."
                ),
            ],
        ]
    }

    static var history: OrderedJSON {
        [
            "description": "A record's earlier and losing values.",
            "type": "object",
            "required": ["collection", "id", "deleted", "entries"],
            "additionalProperties": false,
            "properties": [
                "collection": ["type": "string", "enum": collectionNames],
                "id": ["type": "string", "pattern": .string(OpenAPISchemas.idPattern)],
                "deleted": ["description": "The record is deleted now.", "type": "boolean"],
                "entries": [
                    "description": "By field, newest first within each field.",
                    "type": "array",
                    "items": [
                        "type": "object",
                        "required": ["field", "value", "cl", "hlc", "node", "at", "reason"],
                        "additionalProperties": false,
                        "properties": [
                            "field": ["description": "A leaf field, or `_exists`.", "type": "string"],
                            "value": ["description": "The value it held or was offered."],
                            "cl": ["type": "integer", "minimum": 1],
                            "hlc": hlc,
                            "node": node("The replica that wrote it."),
                            "at": [
                                "description": "The hlc's milliseconds as an RFC 3339 instant.", "type": "string",
                                "format": "date-time", "pattern": .string(OpenAPISchemas.timestampPattern),
                            ],
                            "reason": [
                                "description":
                                    "`overwritten`: a later write replaced it; `lost_merge`: it arrived after a newer value and lost; `earlier_life`: the record was deleted or re-created since.",
                                "type": "string",
                                "enum": .array(
                                    [RecordState.Displacement.overwritten, .lostMerge, .earlierLife].map {
                                        .string($0.rawValue)
                                    }),
                            ],
                        ],
                    ],
                ],
            ],
        ]
    }

    // MARK: Prose

    /// The `sync` tag's description: the protocol, enough to write a client from.
    static let protocolDescription = """
        Replicas — jobprepd daemons, and front ends that edit offline — exchange *change cells* and merge them \
        with one rule, so replicas that have seen the same cells hold the same data, whatever the order, \
        repetition or route the cells took. Sync calls carry `protocol` (\(SyncProtocol.version)) and `schema` \
        (`\(Catalog.fingerprint)`, the fingerprint of the collections and fields); a mismatch is a 409 \
        `incompatible`, never a silent merge.

        **Cells.** A change is one cell `{collection, id, field, value, cl, hlc, node}` (schema `Change`). `field` \
        is a leaf field of the collection (nested profile fields as `compensation.currency`) or `_exists`, the \
        record's existence. `hlc` is a hybrid logical clock reading, 16 lowercase hex digits: 12 for the \
        milliseconds since the Unix epoch, 4 for a counter, so string order is clock order. `node` is the 32 \
        lowercase hex digits of the replica that wrote the cell. `cl`, the record's causal length, counts its \
        lives: odd while it is alive, even once deleted.

        **Writes.** A create writes `_exists: true` and every field, all with the next odd `cl` (1 for a new \
        record; the deleted record's `cl` + 1 to re-create it) and one new `hlc`. An update writes the fields \
        that change, with the record's current (odd) `cl`. A delete writes `_exists: false` with the next even \
        `cl`. Field cells always have an odd `cl`.

        **Merge rule, per cell.** For each record and field, compare keys `(cl, hlc, node)`: `cl` as an integer, \
        then `hlc`, then `node` as strings. The greater key wins; an equal key is the same cell seen again and \
        changes nothing. A record's `cl` is the greatest `cl` among its cells, and the record is visible when \
        that is odd. Cells of an earlier life (a lower `cl`) never show: a delete hides every field, an update \
        never brings a deleted record back (its `cl` is lower than the delete's), and only a create, with a \
        greater odd `cl`, does — with fresh fields. `created_at` is the current life's `_exists` cell's time, \
        `updated_at` the greatest `hlc` of the current life. Nothing is silently lost: values that lose a merge \
        or belong to an earlier life are listed by `GET /v1/<collection>/{id}/history`.

        **Partial records.** A record shows as soon as its greatest `cl` is odd, whether or not every cell of \
        its create has arrived: field cells that arrive before their record's create (from a client that \
        pushed its edits but not the create, or a compacted log whose create and later edits fall on two \
        pages) make the record visible with its other fields null until their cells come. Readers of a \
        synced dataset must accept null in any field; a client pushing edits to a record the server may \
        not have pushes the record's create (all cells of its current life) along with them.

        **Relays.** A replica that passes on cells it received keeps their `cl`, `hlc` and `node`; nobody \
        restamps a cell. A cell's key is the same everywhere, which makes merging commutative, associative and \
        idempotent.

        **Cursors.** Each replica numbers the writes it logs, its own and merged ones; a cursor is that \
        sequence as a decimal string, meaningful only on the replica that gave it — never an hlc. \
        `GET /v1/events` numbers its events the same way.

        **Syncing a front end.** Give the front end a node id once (32 random lowercase hex digits, kept \
        for good; a restored or copied store takes a new one) and a clock that never goes back: for each \
        write, take the milliseconds max(wall clock, last reading's) with counter 0 when they moved on, else \
        the last counter + 1; after merging cells, move the clock past the greatest `hlc` seen. Then:

        1. Pull: `GET /v1/sync/changes?since=<saved cursor, 0 at first>&protocol=1&schema=<fingerprint>`. \
        Merge each page's `changes` with the merge rule and save its `cursor` with them, atomically; pull \
        again while `has_more` is true. `node_id=<yours>` leaves out what the server received from you and \
        the built-in seed (the common interview questions, node `00000000000000000000000000000000`): send it \
        only once you hold the seed (after a first full pull without it), or never — your own cells then \
        come back as duplicates, which the merge rule ignores. To wait for news, long-poll with `wait` or \
        follow `GET /v1/events`.
        2. Push: `POST /v1/sync/changes` `{node_id, protocol, schema, changes}` with the cells you wrote, \
        in the order you wrote them; keep them until a 200 acknowledges them. A push is applied all or \
        none, and repeating it is harmless (known cells come back `ignored`).
        3. `410 cursor-expired` on a pull: the server compacted its log past your cursor. Pull again from \
        `since=0` and merge everything; the merge rule keeps deleted records deleted.
        4. `409 clock-skew` on a push: a cell's `hlc` is more than the allowed skew (5 minutes by default) \
        ahead of the server's clock, and nothing was applied. Fix the clock; such cells are accepted once \
        the server's clock is within the skew of them. `409 incompatible`: another protocol or schema \
        (upgrade one side), or your `node_id` is the server's own (a copied database).
        5. A page whose `node_id` differs from the one you saw before comes from another replica (the \
        server was restored or replaced): your cursor means nothing there; pull from 0 again.

        **Scopes.** Any token (`read`, `write`, `sync`) may pull, read the status and follow the events; \
        pushing needs `write` or `sync`. A `sync` token cannot use the dataset endpoints (403).
        """
}
