import Model
import Storage

/// Realistic examples for the OpenAPI document. Records are rendered the way the store renders them
/// (every field present, `version` the hash of the rest), cursors and problems are made by the code
/// that makes them for real, so the examples cannot drift from what the daemon serves.
enum OpenAPIExamples {
    static let valueCreate: JSONValue = [
        "name": "Continuous learning",
        "why":
            "I do my best work when I am learning something new every quarter, and I want a team that makes time for it.",
        "rank": 1,
    ]

    static let value = record(
        Catalog.values, id: "6f1c2d9e-8b3a-4c57-9e21-0d4b7a6c3f18", valueCreate,
        created: "2026-03-02T09:15:27.412Z", updated: "2026-03-04T18:02:11.096Z")

    static let secondValue = record(
        Catalog.values, id: "balance",
        [
            "name": "Sustainable pace",
            "why": "Predictable hours so that I can be there for my family in the evenings.",
            "rank": 2,
        ], created: "2026-03-02T09:16:03.550Z", updated: "2026-03-02T09:16:03.550Z")

    static let valueList: JSONValue = [
        "items": [value, secondValue],
        "next_cursor": .string(ListCursor(sort: "rank", value: .int(2), id: "balance").encoded),
    ]

    static let opportunityCreate: JSONValue = [
        "id": "acme-staff-engineer",
        "company_id": "acme",
        "title": "Staff Software Engineer, Payments",
        "url": "https://jobs.acme.example/postings/4821",
        "source": "referral",
        "referred_by": "contact-dana-lee",
        "status": "interviewing",
        "applied_on": "2026-02-20",
        "notes": "Second round on March 12: system design, then the hiring manager.",
    ]

    static let opportunity: JSONValue = {
        var fields = opportunityCreate.objectValue!
        fields.removeValue(forKey: "id")
        return record(
            Catalog.opportunities, id: "acme-staff-engineer", .object(fields),
            created: "2026-02-18T16:40:05.031Z", updated: "2026-03-05T08:12:44.870Z")
    }()

    /// What the validator really answers for a create with four mistakes.
    static let validationProblem: JSONValue = {
        let body: JSONValue = ["rank": -1, "colour": "blue", "version": "0"]
        guard case .failure(let failure) = BodyValidator.validateCreate(body, in: Catalog.values) else {
            return .null
        }
        return Problem.validation(failure).json
    }()

    static var components: OrderedJSON {
        func example(_ summary: String, _ value: JSONValue) -> OrderedJSON {
            ["summary": .string(summary), "value": OrderedJSON(value)]
        }
        return [
            "ValueCreate": example("A value to create", valueCreate),
            "Value": example("A value, as served", value),
            "ValueList": example("A page of values sorted by rank, with more to come", valueList),
            "OpportunityCreate": example("An opportunity to create, with its own id", opportunityCreate),
            "Opportunity": example("An opportunity, as served", opportunity),
            "ValidationProblem": example("A create refused with 422: every reason at once", validationProblem),
        ]
    }

    /// A record as the store renders it: every field (null when unset), nested objects with all
    /// their leaves, the server fields, and `version` the FNV-1a hash of the rest.
    static func record(
        _ collection: CollectionSpec, id: String, _ values: JSONValue, created: String, updated: String
    ) -> JSONValue {
        let given = values.objectValue ?? [:]
        var object: [String: JSONValue] = [:]
        for field in collection.fields {
            var value = given[field.name] ?? field.defaultValue
            if case .object(let children) = field.type {
                let nested = value.objectValue ?? [:]
                value = .object(Dictionary(uniqueKeysWithValues: children.map { ($0.name, nested[$0.name] ?? .null) }))
            }
            object[field.name] = value
        }
        object["id"] = .string(id)
        object["created_at"] = .string(created)
        object["updated_at"] = .string(updated)
        var hash = FNV1a()
        hash.combine(JSONWriter().bytes(.object(object)))
        object["version"] = .string(hash.hex)
        return .object(object)
    }
}
