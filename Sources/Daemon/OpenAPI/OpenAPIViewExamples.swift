import Model
import Storage

/// Examples of the views (readiness, briefing, search, export, import), from the views' author's
/// description checked against live responses. Records are rendered by ``OpenAPIExamples/record``
/// (every field, `version` computed), cursors and problems by the code that makes them for real.
enum OpenAPIViewExamples {
    // MARK: Records the examples share

    static let company = OpenAPIExamples.record(
        Catalog.companies, id: "acme",
        ["name": "Acme", "industry": "Fintech", "mission": "Payments without paperwork"],
        created: "2026-11-26T19:51:26.514Z", updated: "2026-11-26T19:51:26.514Z")

    static let opportunity = OpenAPIExamples.record(
        Catalog.opportunities, id: "acme-staff",
        [
            "title": "Staff engineer", "company_id": "acme", "status": "interviewing", "referred_by": "bo",
            "url": "https://acme.example.com/jobs/42",
        ], created: "2026-11-26T19:51:26.515Z", updated: "2026-11-26T19:51:26.515Z")

    static let pitch = OpenAPIExamples.record(
        Catalog.pitches, id: "main",
        [
            "title": "Main pitch", "who": "A backend engineer who makes payment systems boring",
            "recent": "Led the ledger rewrite", "value": "Cut reconciliation time from days to minutes",
        ], created: "2026-11-26T19:51:26.515Z", updated: "2026-11-26T19:51:26.515Z")

    static let referral = OpenAPIExamples.record(
        Catalog.contacts, id: "bo",
        [
            "name": "Bo Lind", "relationship": "colleague", "company_id": "acme", "email": "bo@example.com",
            "next_follow_up_on": "2026-11-20",
        ], created: "2026-11-26T19:51:26.515Z", updated: "2026-11-26T19:51:26.515Z")

    static let answer = OpenAPIExamples.record(
        Catalog.answers, id: "intro",
        [
            "question_id": "builtin-tell-me-about-yourself",
            "body": "I build payment systems that nobody has to think about.", "story_ids": ["ledger"],
        ], created: "2026-11-26T19:51:26.516Z", updated: "2026-11-26T19:51:26.516Z")

    static let story = OpenAPIExamples.record(
        Catalog.stories, id: "ledger",
        [
            "title": "Ledger rewrite", "kind": "accomplishment", "use_case": "Reconciliation took three days",
            "design": "Event-sourced ledger", "challenges": "Migrating live balances", "outcome": "Minutes, not days",
            "ended_on": "2025-09-30", "tags": ["payments"],
        ], created: "2026-11-26T19:51:26.516Z", updated: "2026-11-26T19:51:26.516Z")

    static let activity = OpenAPIExamples.record(
        Catalog.activities, id: "int-1",
        [
            "opportunity_id": "acme-staff", "contact_id": "bo", "kind": "interview",
            "scheduled_at": "2026-12-02T09:30:00.000Z", "notes": "System design round",
        ], created: "2026-11-26T19:51:26.517Z", updated: "2026-11-26T19:51:26.517Z")

    static let profile = OpenAPIExamples.record(
        Catalog.profile, id: Catalog.profileID,
        ["name": "Ana", "compensation": ["currency": "EUR", "base_target": 95000]],
        created: "2026-01-01T00:00:00.000Z", updated: "2026-11-26T19:51:26.514Z")

    static let value = OpenAPIExamples.record(
        Catalog.values, id: "craft", ["name": "Craft", "why": "I want to be proud of the work", "rank": 1],
        created: "2026-11-26T19:51:26.513Z", updated: "2026-11-26T19:51:26.513Z")

    // MARK: Views

    static let readiness: JSONValue = [
        "as_of": "2026-11-26",
        "score": 17,
        "passed": 2,
        "total": 12,
        "checks": [
            [
                "id": "values", "title": "At least three values", "passed": false,
                "detail": "2 values of at least 3: Craft, Autonomy.",
                "hint":
                    "Write down at least three things that matter to you in work, say why each matters, and rank them.",
                "records": [],
            ],
            [
                "id": "builtin_answers", "title": "Every built-in question answered", "passed": false,
                "detail": #"1 of 12 built-in questions have no answer: "Describe your ideal role.""#,
                "hint":
                    "Write a general answer (no opportunity_id) to each built-in question; the question's guidance says how.",
                "records": [
                    ["collection": "questions", "id": "builtin-ideal-role", "label": "Describe your ideal role."]
                ],
            ],
            [
                "id": "follow_ups", "title": "No overdue follow-ups", "passed": false,
                "detail": "1 overdue: follow up with Bo Lind (due 2026-11-20).",
                "hint": "Follow up, then move the contact's next_follow_up_on forward or set the activity's done_at.",
                "records": [["collection": "contacts", "id": "bo", "label": "Bo Lind"]],
            ],
        ],
    ]

    static let briefing: JSONValue = [
        "role": "Staff engineer",
        "status": "interviewing",
        "opportunity": opportunity,
        "company": company,
        "pitch": pitch,
        "pitch_source": "general",
        "value_fit": [
            [
                "value_id": "craft", "value": "Craft", "rank": 1, "verdict": "shares",
                "evidence": "Engineers own their services end to end", "observed_on": nil,
                "assessment_id": "c76cfadd-2354-4567-ac53-1fd6d2f36141",
            ],
            [
                "value_id": "autonomy", "value": "Autonomy", "rank": 2, "verdict": "not assessed", "evidence": nil,
                "observed_on": nil, "assessment_id": nil,
            ],
        ],
        "referral": referral,
        "contacts": [],
        "answers": [
            [
                "question_id": "builtin-tell-me-about-yourself", "question": "Tell me about yourself.",
                "category": "about_you", "tailored": false, "answer": answer,
            ],
            [
                "question_id": "builtin-current-work", "question": "What are you working on now?",
                "category": "current_work", "tailored": false, "answer": nil,
            ],
        ],
        "stories": [story],
        "open_activities": [activity],
        "dangling": [],
    ]

    static let briefingMarkdown = """
        # Staff engineer at Acme

        - **Status:** interviewing
        - **Posting:** <https://acme.example.com/jobs/42>

        ## Company

        - **Industry:** Fintech

        **Mission.** Payments without paperwork

        ## Your pitch

        _Main pitch (general pitch)_

        **Who you are.** A backend engineer who makes payment systems boring

        **What you did recently.** Led the ledger rewrite

        **Why it matters.** Cut reconciliation time from days to minutes

        ## Value fit

        - **Craft:** shares — Engineers own their services end to end
        - **Autonomy:** not assessed

        ## People

        - Referred by **Bo Lind** (colleague) — bo@example.com

        ## Answers

        ### Tell me about yourself.

        I build payment systems that nobody has to think about.

        Stories: Ledger rewrite

        ### Not answered yet

        - What are you working on now?
        - Describe your ideal role.

        ## Stories to tell

        ### Ledger rewrite

        _accomplishment · ? to 2025-09-30 · tags: payments_

        **Use case.** Reconciliation took three days

        **Design.** Event-sourced ledger

        **Challenges.** Migrating live balances

        **Outcome.** Minutes, not days

        ## Open activities

        - 2026-12-02T09:30:00.000Z — interview: System design round

        """

    static let searchPage: JSONValue = [
        "items": [
            ["collection": "stories", "id": "ledger", "field": "title", "snippet": "<mark>Ledger</mark> rewrite"],
            [
                "collection": "stories", "id": "ledger", "field": "design",
                "snippet": "Event-sourced <mark>ledger</mark>",
            ],
        ],
        "next_cursor": .string(SearchRequest(text: "ledger", limit: 2).cursor(after: 2)),
    ]

    static let export: JSONValue = [
        "collections": .object(
            Dictionary(
                uniqueKeysWithValues: Catalog.all.map { collection -> (String, JSONValue) in
                    switch collection.name {
                    case Catalog.profile.name: return (collection.name, [profile])
                    case Catalog.values.name: return (collection.name, [value])
                    default: return (collection.name, [])
                    }
                })),
        "format": .string(Export.format),
    ]

    static let prepSheetMarkdown = ##"""
        # Job search prep sheet: Ana

        ## What matters to you

        1. **Craft** — I want to be proud of the work
        2. **Autonomy**

        ## Industries

        _No industries yet._

        ## Ideal role

        _Not written yet._

        ## Compensation

        - **Base target:** 95,000 EUR

        ## Pitch

        ### Main pitch

        **Who you are.** A backend engineer who makes payment systems boring

        ## Networking

        - **Bo Lind** (colleague, Acme) — bo@example.com; follow up 2026-11-20

        ## Questions and answers

        ### Tell me about yourself.

        _Guidance:_ Two minutes, not your life story. …

        I build payment systems that nobody has to think about.

        Stories: Ledger rewrite

        ## Stories

        ### \# Ledger \| \`v2\`

        **Use case.** Reconciliation took three days

        ## Strengths and weaknesses

        ### Strengths

        _None yet._

        ### Weaknesses

        _None yet._

        ## Opportunities

        ### Staff engineer at Acme

        - **Status:** interviewing
        - **Referred by:** Bo Lind

        | Value | Fit | Evidence |
        | --- | --- | --- |
        | Craft | shares | Engineers own their services end to end |
        | Autonomy | not assessed |   |

        """##

    static let importSummary: JSONValue = ["records": 17, "created": 4, "updated": 0, "unchanged": 13, "kept_local": 0]
    static let importSummaryAgain: JSONValue = [
        "records": 17, "created": 0, "updated": 0, "unchanged": 17, "kept_local": 0,
    ]

    // MARK: Problems

    /// What `POST /v1/import` answers for a document with five mistakes.
    static let importProblem: JSONValue = {
        let document: JSONValue = [
            "format": "jobprep-export/0",
            "collections": [
                "nope": [],
                "values": [
                    ["id": "not an id", "created_at": "yesterday", "updated_at": "2026-03-01T09:30:00.000Z", "name": 7]
                ],
            ],
        ]
        let now = CalendarDate.parseDateTime("2026-11-26T19:51:26.514Z")!
        do {
            _ = try ImportFile.validate(document, nowMillis: now)
            return .null
        } catch let failure as ValidationFailure {
            return Problem.validation(failure).json
        } catch {
            return .null
        }
    }()

    /// What `GET /v1/search` answers for a limit out of range.
    static let searchProblem: JSONValue = {
        let query = [QueryItem(name: "q", value: "ledger"), QueryItem(name: "limit", value: "500")]
        guard case .failure(let failure) = SearchRequest.parse(query) else { return .null }
        return Problem.invalidQuery(failure).json
    }()

    static let noQueryProblem: JSONValue = Problem.noQueryParameters.json

    static let opportunityNotFound: JSONValue = Problem.from(
        StorageError.notFound(collection: Catalog.opportunities.name, id: "nope")
    ).json

    static var components: [(String, OrderedJSON)] {
        func example(_ summary: String, _ value: JSONValue) -> OrderedJSON {
            ["summary": .string(summary), "value": OrderedJSON(value)]
        }
        return [
            ("ReadinessReport", example("A new dataset on its way (3 of the 12 checks shown)", readiness)),
            ("Briefing", example("The briefing for an interview at Acme", briefing)),
            ("BriefingMarkdown", example("The same briefing as a page to read on a phone", .string(briefingMarkdown))),
            ("SearchPage", example("A page of two hits for q=ledger&limit=2, with more to come", searchPage)),
            ("Export", example("A small dataset", export)),
            ("PrepSheetMarkdown", example("The prep sheet (abridged)", .string(prepSheetMarkdown))),
            ("ImportSummary", example("A first import", importSummary)),
            ("ImportSummaryAgain", example("The same export a second time: nothing changes", importSummaryAgain)),
        ]
    }
}
