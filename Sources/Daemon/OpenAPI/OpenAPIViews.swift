import Model
import Storage

/// The views computed from the data (`ViewEndpoints.swift`): readiness, briefing, search, export
/// and import, with their schemas. Everything here is what the handlers and `Views/*` serve.
extension OpenAPIDocumentBuilder {
    typealias ErrorVariant = OpenAPIComponents.ErrorVariant

    var viewPaths: [(String, OrderedJSON)] {
        [
            ("/v1/readiness", ["get": readiness]),
            (
                "/v1/opportunities/{id}/briefing",
                ["parameters": [["$ref": "#/components/parameters/RecordID"]], "get": briefing]
            ),
            ("/v1/search", ["get": search]),
            ("/v1/export", ["get": export]),
            ("/v1/import", ["post": importDataset]),
        ]
    }

    private static let readErrors: [(ErrorResponse, String?)] = [
        (.unauthorized, nil),
        (
            .forbidden,
            "The token has scope `sync`, which cannot read the dataset (`forbidden`), or the `Host` header names a host the daemon does not serve (`host-not-allowed`)."
        ),
        (.internalError, nil), (.unavailable, nil),
    ]

    private var readiness: OrderedJSON {
        operation(
            "getReadiness", tag: "views",
            summary: "The preparation checklist, each check naming the records that fail it",
            description: """
                Every check of the guide, in this order: `values` (at least three), `target_industries` (at least \
                three with stance target), `ideal_role` (profile.ideal_role, or a general answer to the built-in \
                "Describe your ideal role."), `compensation` (profile compensation currency, base_target and \
                total_target, and at least one compensation-research record), `general_pitch` (a pitch with no \
                company_id and no opportunity_id whose who, recent and value all have text), `builtin_answers` \
                (every built-in question has a general answer with text), `story_details` (at least one story, and \
                every story has use_case, design, challenges and outcome), `recent_accomplishment` (a story that \
                ended on or after today minus two years, of kind accomplishment or used by an answer to an \
                accomplishment question), `weakness_mitigations` (at least one weakness trait, and every weakness \
                has a mitigation), `value_fit` (at least one active opportunity — status prospect, applied, \
                screening, interviewing or offer — and each one's company has an assessment with a verdict other \
                than unknown against every value), `follow_ups` (no contact whose next_follow_up_on is before \
                today, no follow_up activity with done_at null whose scheduled_at has passed), and `references` \
                (no live record points at a deleted or missing one). Dates are UTC. `score` is the share of passed \
                checks, 0–100, rounded.
                """,
            responses: [
                (
                    "200",
                    jsonResponse("The checklist.", schema: "ReadinessReport", examples: ["report": "ReadinessReport"])
                )
            ],
            errors: Self.readErrors, variants: [OpenAPIViewSchemas.noQuery])
    }

    private var briefing: OrderedJSON {
        operation(
            "getOpportunityBriefing", tag: "views",
            summary: "Everything to read before an interview for one opportunity",
            description: """
                The opportunity, its company, role and status; the pitch (the one pitch_id names, else one tailored \
                to the opportunity, else to its company, else the general one with all three parts updated last; \
                `pitch_source` says which); value fit for every value by rank (the company's latest assessment, or \
                "not assessed"); the referral and the contacts at the company; for every question answered (and \
                every built-in question, with `answer: null` when unanswered) the answer tailored to this \
                opportunity, else the general one; the stories those answers use; the open activities (done_at \
                null) by scheduled_at. References to deleted records are listed in `dangling`, never an error.

                With `Accept: text/markdown` (unless `application/json` comes first in `Accept`) the same briefing \
                as a page to read on a phone (short sections, lists, no tables); all user text is escaped so that \
                it cannot break the page. Any other `Accept` gets JSON.
                """,
            responses: [
                (
                    "200",
                    negotiatedResponse(
                        "The briefing.", schema: "Briefing", json: "Briefing", markdown: "BriefingMarkdown")
                )
            ],
            errors: Self.readErrors, variants: [OpenAPIViewSchemas.noQuery, OpenAPIViewSchemas.opportunityNotFound])
    }

    private var search: OrderedJSON {
        func example(_ value: String, _ summary: String? = nil) -> OrderedJSON {
            var example: [(String, OrderedJSON)] = []
            if let summary { example.append(("summary", .string(summary))) }
            example.append(("value", .string(value)))
            return .object(example)
        }
        return operation(
            "search", tag: "views", summary: "Full-text search over every text field of every collection",
            description: """
                SQLite FTS5 (unicode61 tokenizer, diacritics removed) over every text leaf of every live record (the \
                catalog's line, text and tags fields, nested ones named `parent.child`), kept current by the write \
                path. Hits are best first: bm25 times the field's search weight (titles 3, headlines and tags 2, \
                bodies 1), ties by index position.

                `q` is searched as words (all of them must match; a trailing `*` makes a word a prefix). Input \
                written in FTS5 syntax — `"a phrase"`, `OR`, `NOT`, `NEAR(a b, 5)`, `col*`, `^first` — runs as \
                written when SQLite accepts it; anything it refuses (unbalanced quotes or parentheses, a lone `-`, \
                `AND` alone, `c++`, `node.js`) is searched as words. User input never causes an error: a query with \
                no letter or digit simply has no hits.
                """,
            parameters: [
                [
                    "name": "q", "in": "query", "required": true,
                    "description":
                        "The words: at least one character that is not white space, at most 1,000 characters.",
                    "schema": [
                        "type": "string", "minLength": 1, "maxLength": .int(Int64(API.maxSearchLength)),
                        "pattern": #"\S"#,
                    ],
                    "examples": [
                        "words": example("ledger rewrite"),
                        "prefix": example("reconcil*"),
                        "phrase": example(#""event sourced""#),
                        "broken_syntax": example(#"NEAR("ledger"#, "Searched as the word ledger"),
                    ],
                ],
                [
                    "name": "limit", "in": "query", "description": "How many hits a page holds at most.",
                    "schema": [
                        "type": "integer", "minimum": .int(Int64(API.searchLimits.lowerBound)),
                        "maximum": .int(Int64(API.searchLimits.upperBound)),
                        "default": .int(Int64(SearchRequest().limit)),
                    ],
                ],
                [
                    "name": "cursor", "in": "query",
                    "description": "The `next_cursor` of the previous page, for the same `q`.",
                    "schema": ["type": "string"],
                ],
            ],
            responses: [
                (
                    "200",
                    jsonResponse("A page of hits, best first.", schema: "SearchPage", examples: ["page": "SearchPage"])
                )
            ],
            errors: Self.readErrors, variants: [OpenAPIViewSchemas.searchInvalidQuery])
    }

    private var export: OrderedJSON {
        operation(
            "exportDataset", tag: "views", summary: "The whole dataset as canonical JSON, or the printable prep sheet",
            description: """
                `{"collections": {"<name>": [records…], …}, "format": "jobprep-export/1"}`: every collection (the \
                profile too, as a one-record array), each live record as `GET /v1/<collection>/{id}` serves it \
                (including id, created_at, updated_at and version, which derive from the record's cells), records \
                sorted by id, object keys sorted by their UTF-8 bytes, compact, no trailing newline. Nothing \
                replica-specific (no node id, no export time): two replicas holding the same data return \
                byte-identical exports, and re-serializing the document with sorted keys reproduces it. \
                `POST /v1/import` takes it back.

                With `Accept: text/markdown` (unless `application/json` comes first in `Accept`): the prep sheet, a \
                printable document in the guide's order — What matters to you, Industries, Ideal role, \
                Compensation, Pitch, Networking, Questions and answers, Stories, Strengths and weaknesses, \
                Opportunities (with their value fit). User text is escaped so that it cannot break the page.
                """,
            responses: [
                (
                    "200",
                    negotiatedResponse("The export.", schema: "Export", json: "Export", markdown: "PrepSheetMarkdown")
                )
            ],
            errors: Self.readErrors, variants: [OpenAPIViewSchemas.noQuery])
    }

    private var importDataset: OrderedJSON {
        operation(
            "importDataset", tag: "views", summary: "Merge an export into this replica, all or nothing",
            description: """
                Takes a document in the export format. The whole document is validated first: the format tag, known \
                collections, valid and unique ids (`profile` for the profile), created_at and updated_at as RFC \
                3339 (updated_at not before created_at, neither more than 5 minutes in the future), and every \
                record's fields as for a create (unknown fields, wrong types, missing required fields; read-only \
                fields such as `builtin` are accepted; `version` is recomputed). If anything is wrong, 422 lists \
                every problem (up to 1,000) and nothing is stored.

                Then every record is merged through the same write path as every edit, in one transaction: a \
                record missing here (or deleted here) is created with the exported timestamps; for a live record \
                only the fields whose value differs are written, stamped with the export's updated_at, and \
                per-field last-writer-wins decides (an imported value older than a local edit loses and is kept in \
                the record's history). Equal fields write nothing, so importing the same export twice changes \
                nothing the second time; nothing is ever deleted by an import. References are not checked (an \
                export may hold dangling references; readers report them). Importing an export into an empty \
                replica and exporting again gives identical bytes.

                The body may be as large as the server's `--max-import-body` (16 MiB by default, where other \
                requests stop at `--max-body`, 1 MiB); larger exports go through `jobprepd import FILE`. Needs a \
                `write` token.
                """,
            requestBody: [
                "required": true,
                "content": ["application/json": ["schema": ["$ref": .string(OpenAPISchemas.ref("ImportDocument"))]]],
            ],
            responses: [
                (
                    "200",
                    jsonResponse(
                        "What the import did.", schema: "ImportSummary",
                        examples: ["first": "ImportSummary", "again": "ImportSummaryAgain"])
                )
            ],
            errors: [
                (
                    .badRequest,
                    "The body is not JSON (`malformed-json`), or the request has a query string (`bad-request`)."
                ),
                (.unauthorized, nil),
                (
                    .forbidden,
                    "The token has scope `read` or `sync`, which cannot write (`forbidden`), or the `Host` header names a host the daemon does not serve (`host-not-allowed`)."
                ),
                (.payloadTooLarge, nil), (.unsupportedMediaType, nil), (.internalError, nil), (.unavailable, nil),
                (.storageFull, nil),
            ],
            variants: [OpenAPIViewSchemas.importValidationFailed])
    }

    // MARK: Responses

    /// A JSON response whose examples are `#/components/examples/<name>`.
    func jsonResponse(_ description: String, schema: String, examples: KeyValuePairs<String, String> = [:])
        -> OrderedJSON
    {
        var media: [(String, OrderedJSON)] = [("schema", ["$ref": .string(OpenAPISchemas.ref(schema))])]
        if !examples.isEmpty {
            media.append(
                ("examples", .object(examples.map { ($0.key, ["$ref": .string("#/components/examples/\($0.value)")]) }))
            )
        }
        return ["description": .string(description), "content": ["application/json": .object(media)]]
    }

    /// JSON, or Markdown with `Accept: text/markdown`; sent with `Vary: Accept`.
    private func negotiatedResponse(_ description: String, schema: String, json: String, markdown: String)
        -> OrderedJSON
    {
        [
            "description": .string(description + " JSON, or Markdown with `Accept: text/markdown`."),
            "headers": [
                "Vary": [
                    "description": "Always `Accept`: the body depends on it.", "required": true,
                    "schema": ["type": "string", "const": "Accept"],
                ]
            ],
            "content": [
                "application/json": [
                    "schema": ["$ref": .string(OpenAPISchemas.ref(schema))],
                    "examples": ["example": ["$ref": .string("#/components/examples/\(json)")]],
                ],
                "text/markdown": [
                    "schema": ["type": "string", "description": "CommonMark, UTF-8 (`text/markdown; charset=utf-8`)."],
                    "examples": ["example": ["$ref": .string("#/components/examples/\(markdown)")]],
                ],
            ],
        ]
    }
}

/// The views' schemas and their narrower error responses.
enum OpenAPIViewSchemas {
    typealias ErrorVariant = OpenAPIComponents.ErrorVariant

    static let noQuery = ErrorVariant(
        name: "ViewNoQuery", base: .badRequest,
        description: OpenAPIDocumentBuilder.noQueryDescription,
        kinds: ["bad-request"],
        examples: [("query", "A query string sent to a view", OpenAPIViewExamples.noQueryProblem)])

    static let opportunityNotFound = ErrorVariant(
        name: "OpportunityNotFound", base: .notFound, description: "No live opportunity has this id.",
        examples: [
            ("missing", "An opportunity that does not exist (or was deleted)", OpenAPIViewExamples.opportunityNotFound)
        ])

    static let searchInvalidQuery = ErrorVariant(
        name: "SearchInvalidQuery", base: .badRequest,
        description:
            "The query string is not valid (`invalid-query`; `errors` names each parameter): `q` missing, blank or longer than 1,000 characters; `limit` not an integer from 1 to 100; a `cursor` that this search did not give for this `q`; a parameter given twice; an unknown parameter. A query string that is not valid UTF-8 or holds a NUL is refused before the search sees it (`bad-request`).",
        kinds: ["invalid-query", "bad-request"],
        examples: [("limit", "A limit out of range", OpenAPIViewExamples.searchProblem)])

    static let importValidationFailed = ErrorVariant(
        name: "ImportValidationFailed", base: .validationFailed,
        description:
            "The document is not a valid export; nothing was stored. `errors` names every problem (up to 1,000) by its path in the document, such as `collections.values[0].name`.",
        examples: [("invalid", "An export with five mistakes", OpenAPIViewExamples.importProblem)])

    static let variants = [noQuery, opportunityNotFound, searchInvalidQuery, importValidationFailed]

    static var schemas: [(String, OrderedJSON)] {
        [
            ("RecordRef", recordRef), ("ReadinessCheck", readinessCheck), ("ReadinessReport", readinessReport),
            ("Briefing", briefing), ("SearchHit", searchHit), ("SearchPage", searchPage), ("Export", export),
            ("ImportDocument", importDocument),
        ] + Catalog.all.map { ($0.schemaName + "Import", OpenAPISchemas.importRecord($0)) } + [
            ("ImportSummary", importSummary)
        ]
    }

    private static func ref(_ schema: String) -> OrderedJSON { ["$ref": .string(OpenAPISchemas.ref(schema))] }

    private static func nullable(_ schema: String) -> OrderedJSON { ["oneOf": [ref(schema), ["type": "null"]]] }

    private static func array(_ schema: String, _ description: String? = nil) -> OrderedJSON {
        var array: [(String, OrderedJSON)] = []
        if let description { array.append(("description", .string(description))) }
        array += [("type", "array"), ("items", ref(schema))]
        return .object(array)
    }

    /// An object whose members are all required, in the order given.
    private static func object(_ description: String? = nil, _ properties: [(String, OrderedJSON)]) -> OrderedJSON {
        var object: [(String, OrderedJSON)] = []
        if let description { object.append(("description", .string(description))) }
        object += [
            ("type", "object"), ("required", .array(properties.map { .string($0.0) })), ("additionalProperties", false),
            ("properties", .object(properties)),
        ]
        return .object(object)
    }

    private static let string: OrderedJSON = ["type": "string"]
    private static let count: OrderedJSON = ["type": "integer", "minimum": 0]

    static let recordRef = object(
        "A record a check names.",
        [
            ("collection", ["type": "string", "enum": .array(Catalog.all.map { .string($0.name) })]),
            ("id", ["type": "string", "pattern": .string(OpenAPISchemas.idPattern)]),
            ("label", ["description": "The record's title (name, title or text), else its id.", "type": "string"]),
        ])

    /// The checks, in the order the report lists them, from the rules themselves.
    static var checkIDs: [String] {
        Readiness.evaluate(ViewData(records: [:]), clock: ViewClock(millis: 0)).checks.map(\.id)
    }

    static var readinessCheck: OrderedJSON {
        object(
            "One item of the checklist.",
            [
                ("id", ["type": "string", "enum": .array(checkIDs.map(OrderedJSON.string))]),
                ("title", string),
                ("passed", ["type": "boolean"]),
                (
                    "detail",
                    [
                        "description": "What was found, naming (up to 20 of) the records that fail the check.",
                        "type": "string",
                    ]
                ),
                ("hint", ["description": "What to do to pass it.", "type": "string"]),
                ("records", array("RecordRef", "Every record that fails the check.")),
            ])
    }

    static var readinessReport: OrderedJSON {
        object(
            "The preparation checklist.",
            [
                (
                    "as_of",
                    ["description": "The UTC date the checks were computed for.", "type": "string", "format": "date"]
                ),
                (
                    "score",
                    [
                        "description": "The share of passed checks, rounded.", "type": "integer", "minimum": 0,
                        "maximum": 100,
                    ]
                ),
                ("passed", count),
                ("total", count),
                ("checks", ["type": "array", "items": ref("ReadinessCheck")]),
            ])
    }

    static var briefing: OrderedJSON {
        var verdicts = ["not assessed"]
        if case .enumeration(let values) = Catalog.valueAssessments.field("verdict")?.type {
            verdicts = values + verdicts
        }
        return object(
            "Everything to read before an interview for one opportunity.",
            [
                ("opportunity", ref(Catalog.opportunities.schemaName)),
                ("role", ["description": "The opportunity's title.", "type": ["string", "null"]]),
                (
                    "status",
                    [
                        "description": "The opportunity's status.", "type": ["string", "null"],
                        "enum": .array(Catalog.opportunityStatuses.map(OrderedJSON.string) + [nil]),
                    ]
                ),
                ("company", nullable(Catalog.companies.schemaName)),
                ("pitch", nullable(Catalog.pitches.schemaName)),
                (
                    "pitch_source",
                    [
                        "description": "What the pitch is tailored to; null when there is no pitch.",
                        "type": ["string", "null"], "enum": ["opportunity", "company", "general", nil],
                    ]
                ),
                (
                    "value_fit",
                    [
                        "description": "Every value, by rank, with the company's latest assessment against it.",
                        "type": "array",
                        "items": object(
                            nil,
                            [
                                ("value_id", ["type": "string", "pattern": .string(OpenAPISchemas.idPattern)]),
                                ("value", ["description": "The value's name.", "type": ["string", "null"]]),
                                ("rank", ["type": ["integer", "null"]]),
                                ("verdict", ["type": "string", "enum": .array(verdicts.map(OrderedJSON.string))]),
                                ("evidence", ["type": ["string", "null"]]),
                                ("observed_on", ["type": ["string", "null"], "format": "date"]),
                                ("assessment_id", ["type": ["string", "null"]]),
                            ]),
                    ]
                ),
                ("referral", nullable(Catalog.contacts.schemaName)),
                ("contacts", array(Catalog.contacts.schemaName, "The contacts at the company.")),
                (
                    "answers",
                    [
                        "description":
                            "Every question answered, and every built-in one: the answer tailored to this opportunity, else the general one, else null.",
                        "type": "array",
                        "items": object(
                            nil,
                            [
                                ("question_id", ["type": "string", "pattern": .string(OpenAPISchemas.idPattern)]),
                                ("question", ["description": "The question's text.", "type": ["string", "null"]]),
                                (
                                    "category",
                                    [
                                        "type": ["string", "null"],
                                        "enum": .array(Catalog.questionCategories.map(OrderedJSON.string) + [nil]),
                                    ]
                                ),
                                (
                                    "tailored",
                                    ["description": "The answer is tailored to this opportunity.", "type": "boolean"]
                                ),
                                ("answer", nullable(Catalog.answers.schemaName)),
                            ]),
                    ]
                ),
                ("stories", array(Catalog.stories.schemaName, "The stories the answers use.")),
                (
                    "open_activities",
                    array(Catalog.activities.schemaName, "Activities with done_at null, by scheduled_at.")
                ),
                (
                    "dangling",
                    [
                        "description": "References to records that no longer exist.",
                        "type": "array",
                        "items": object(
                            nil,
                            [
                                ("field", ["type": "string", "examples": ["company_id", "answers.story_ids"]]),
                                (
                                    "collection",
                                    ["type": "string", "enum": .array(Catalog.all.map { .string($0.name) })]
                                ),
                                ("id", ["type": "string"]),
                            ]),
                    ]
                ),
            ])
    }

    static let searchHit = object(
        "A text field that matched.",
        [
            ("collection", ["type": "string", "enum": .array(Catalog.all.map { .string($0.name) })]),
            ("id", ["type": "string", "pattern": .string(OpenAPISchemas.idPattern)]),
            (
                "field",
                ["description": "The text field that matched; nested fields as `parent.child`.", "type": "string"]
            ),
            (
                "snippet",
                [
                    "description":
                        "The matching passage as a safe HTML fragment: text escaped (`&amp;` `&lt;` `&gt;` `&quot;`), matched words in `<mark>…</mark>`, `…` where text was cut.",
                    "type": "string",
                ]
            ),
        ])

    static let searchPage = object(
        "A page of hits, best first.",
        [
            (
                "items",
                ["type": "array", "maxItems": .int(Int64(API.searchLimits.upperBound)), "items": ref("SearchHit")]
            ),
            (
                "next_cursor",
                [
                    "description": "Pass as `cursor` (with the same `q`) for the next page; null on the last page.",
                    "type": ["string", "null"],
                ]
            ),
        ])

    static var export: OrderedJSON {
        let collections = Export.collectionsInKeyOrder.map { collection -> (String, OrderedJSON) in
            var items: [(String, OrderedJSON)] = [("type", "array")]
            if collection.isSingleton { items.append(("maxItems", 1)) }
            items.append(("items", ref(collection.schemaName)))
            return (collection.name, .object(items))
        }
        return object(
            "The whole dataset: every live record of every collection, as `GET /v1/<collection>/{id}` serves it.",
            [
                (
                    "collections",
                    object(
                        "Collection name → its records sorted by id (the profile as a one-record array).", collections)
                ),
                ("format", ["type": "string", "const": .string(Export.format)]),
            ])
    }

    static var importDocument: OrderedJSON {
        let collections = Export.collectionsInKeyOrder.map { collection -> (String, OrderedJSON) in
            var items: [(String, OrderedJSON)] = [("type", "array")]
            if collection.isSingleton { items.append(("maxItems", 1)) }
            items.append(("items", ref(collection.schemaName + "Import")))
            return (collection.name, .object(items))
        }
        return [
            "description": "An export (`GET /v1/export`) to merge in; collections may be left out.",
            "type": "object",
            "required": ["format", "collections"],
            "additionalProperties": false,
            "properties": [
                "collections": [
                    "type": "object", "additionalProperties": false, "properties": .object(collections),
                ],
                "format": ["type": "string", "const": .string(Export.format)],
            ],
        ]
    }

    static let importSummary = object(
        "What an import did.",
        [
            ("records", ["description": "Records in the export.", "type": "integer", "minimum": 0]),
            (
                "created",
                ["description": "Records that were missing (or deleted) here.", "type": "integer", "minimum": 0]
            ),
            ("updated", ["description": "Records with at least one field written.", "type": "integer", "minimum": 0]),
            ("unchanged", ["description": "Records where nothing was written.", "type": "integer", "minimum": 0]),
            (
                "kept_local",
                [
                    "description": "Imported field values older than a local edit, kept in history instead.",
                    "type": "integer", "minimum": 0,
                ]
            ),
        ])
}
