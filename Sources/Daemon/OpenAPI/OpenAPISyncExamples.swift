import Model
import Storage
import Sync

/// Examples of the sync protocol: cells encoded by ``ChangeCodec``, problems made by the code that
/// makes them for real.
enum OpenAPISyncExamples {
    /// The server in the examples.
    static let server = NodeID(hex: "5f0c2a9e1b7d3c44a8e61f07d2b93c15")!
    /// A laptop replica that synced into the server.
    static let laptop = NodeID(hex: "9b2e4d7a03c8f1e6b5a4d3c2e1f09a87")!
    /// A third-party front end (a phone app).
    static let phone = NodeID(hex: "c41d8f2a6e0b47d39a5c1e7f3b2d8a60")!

    static func hlc(_ time: String, _ counter: UInt16 = 0) -> HLC {
        HLC(millis: UInt64(CalendarDate.parseDateTime(time)!), counter: counter)
    }

    static func cell(
        _ collection: CollectionSpec, _ id: String, _ field: String, _ value: JSONValue, cl: Int64 = 1, _ hlc: HLC,
        _ node: NodeID
    ) -> JSONValue {
        ChangeCodec.encode(
            Change(
                collection: collection.name, id: id, field: field, value: value,
                key: CellKey(cl: cl, hlc: hlc, node: node)))
    }

    /// A value created on the laptop, then re-ranked on the server.
    static let created = hlc("2026-03-02T09:15:27.412Z")
    static let reranked = hlc("2026-03-04T18:02:11.096Z")

    static let createCells: [JSONValue] = [
        cell(Catalog.values, "craft", Change.existenceField, true, created, laptop),
        cell(Catalog.values, "craft", "name", "Craft", created, laptop),
        cell(Catalog.values, "craft", "rank", 2, created, laptop),
        cell(Catalog.values, "craft", "why", "I want to be proud of the work", created, laptop),
    ]

    static let changePage: JSONValue = [
        "changes": .array(createCells + [cell(Catalog.values, "craft", "rank", 1, reranked, server)]),
        "cursor": "42",
        "has_more": false,
        "node_id": .string(server.hex),
        "protocol": .int(Int64(SyncProtocol.version)),
        "schema": .string(Catalog.fingerprint),
    ]

    /// The phone, offline, answers a built-in question and then rewrites the answer: a create (every
    /// field, with `_exists`, at cl 1) and an update of one field, with a later clock.
    static let answered = hlc("2026-03-05T07:41:09.220Z")
    static let rewritten = hlc("2026-03-05T07:44:51.007Z")

    static let pushRequest: JSONValue = [
        "node_id": .string(phone.hex),
        "protocol": .int(Int64(SyncProtocol.version)),
        "schema": .string(Catalog.fingerprint),
        "changes": .array(
            [
                cell(Catalog.answers, "intro", Change.existenceField, true, answered, phone),
                cell(Catalog.answers, "intro", "body", "I build payment systems.", answered, phone),
                cell(Catalog.answers, "intro", "last_rehearsed_on", nil, answered, phone),
                cell(Catalog.answers, "intro", "opportunity_id", nil, answered, phone),
                cell(Catalog.answers, "intro", "question_id", "builtin-tell-me-about-yourself", answered, phone),
                cell(Catalog.answers, "intro", "rehearsal_count", 0, answered, phone),
                cell(Catalog.answers, "intro", "story_ids", [], answered, phone),
                cell(
                    Catalog.answers, "intro", "body", "I build payment systems that nobody has to think about.",
                    rewritten, phone),
            ]),
    ]

    static let pushResult: JSONValue = ["applied": 8, "ignored": 0]
    static let pushResultAgain: JSONValue = ["applied": 0, "ignored": 8]

    static let status: JSONValue = [
        "node_id": .string(server.hex),
        "clock": .string(hlc("2026-03-05T07:42:30.005Z", 3).hex),
        "protocol": .int(Int64(SyncProtocol.version)),
        "schema": .string(Catalog.fingerprint),
        "log": ["last_sequence": 42, "rows": 38, "compacted_through": 0],
        "peers": [
            [
                "url": "https://laptop.local:8787", "node_id": .string(laptop.hex), "pulled_cursor": "311",
                "pushed_sequence": 42, "last_sync_at": "2026-03-05T07:45:00.118Z", "last_error": nil,
            ]
        ],
    ]

    static let eventMessage: JSONValue = [
        "id": "43",
        "event": "change",
        "data": .string(
            JSONWriter().string([
                "changes": [
                    cell(Catalog.values, "craft", "why", "Work I am proud of", hlc("2026-03-05T08:00:01.500Z"), server)
                ],
                "cursor": "43",
                "node_id": .string(server.hex),
            ])),
    ]

    /// ``eventMessage`` as it comes over the wire, blank line included.
    static var eventText: String {
        let event = eventMessage.objectValue!
        return "id: \(event["id"]!.stringValue!)\nevent: change\ndata: \(event["data"]!.stringValue!)\n"
    }

    static let history: JSONValue = [
        "collection": "values",
        "id": "craft",
        "deleted": false,
        "entries": [
            [
                "field": "rank", "value": 3, "cl": 1, "hlc": .string(hlc("2026-03-04T17:58:40.733Z").hex),
                "node": .string(laptop.hex), "at": "2026-03-04T17:58:40.733Z", "reason": "lost_merge",
            ],
            [
                "field": "rank", "value": 2, "cl": 1, "hlc": .string(created.hex), "node": .string(laptop.hex),
                "at": "2026-03-02T09:15:27.412Z", "reason": "overwritten",
            ],
        ],
    ]

    // MARK: Problems

    static let incompatibleProblem: JSONValue = {
        do {
            try SyncWire.checkCompatible(protocol: .int(Int64(SyncProtocol.version)), schema: "0123456789abcdef")
            return .null
        } catch let problem as Problem {
            return problem.json
        } catch {
            return .null
        }
    }()

    static let clockSkewProblem: JSONValue = {
        let wall = UInt64(CalendarDate.parseDateTime("2026-03-05T07:42:30.005Z")!)
        do {
            try HybridClock().check(HLC(millis: wall + 3_600_000, counter: 0), wallMillis: wall)
            return .null
        } catch let skew as ClockSkewError {
            return Problem.clockSkew(peer: phone.hex, skew).json
        } catch {
            return .null
        }
    }()

    static let cursorExpiredProblem: JSONValue = Problem.cursorExpired(17, horizon: 250).json

    /// What a push with an hlc in the wrong form and a value out of range gets.
    static let pushProblem: JSONValue = {
        let cells: [JSONValue] = [
            [
                "collection": "values", "id": "craft", "field": "rank", "value": -1, "cl": 1,
                "hlc": "2026-03-05T07:41:09Z", "node": .string(phone.hex),
            ],
            [
                "collection": "values", "id": "craft", "field": .string(Change.existenceField), "value": true, "cl": 2,
                "hlc": .string(created.hex), "node": .string(phone.hex),
            ],
        ]
        var errors: [FieldError] = []
        for (i, cell) in cells.enumerated() {
            if case .failure(let failure) = ChangeCodec.decode(cell, path: "changes[\(i)]") { errors += failure.errors }
        }
        return Problem.validation(ValidationFailure(errors)).json
    }()

    static var components: [(String, OrderedJSON)] {
        func example(_ summary: String, _ value: JSONValue) -> OrderedJSON {
            ["summary": .string(summary), "value": OrderedJSON(value)]
        }
        return [
            (
                "ChangePage",
                example("A value created on a laptop and re-ranked on the server; nothing more to pull", changePage)
            ),
            ("PushRequest", example("A phone's offline work: an answer created, then rewritten", pushRequest)),
            ("PushResult", example("The phone's push, the first time", pushResult)),
            ("PushResultAgain", example("The same push again: every cell already known", pushResultAgain)),
            ("SyncStatus", example("A server that syncs with a laptop", status)),
            ("ChangeEventMessage", example("One write, as the SSE parser hands it over", eventMessage)),
            ("History", example("A rank that lost a merge and one that was overwritten", history)),
            ("IncompatibleProblem", example("A replica on another jobprepd version", incompatibleProblem)),
            ("ClockSkewProblem", example("A phone whose clock is an hour fast", clockSkewProblem)),
            ("CursorExpiredProblem", example("A cursor behind the compaction horizon", cursorExpiredProblem)),
        ]
    }
}
