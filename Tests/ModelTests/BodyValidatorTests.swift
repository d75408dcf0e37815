import Testing

@testable import Model

@Suite struct BodyValidatorTests {
    private func createErrors(_ body: JSONValue, _ collection: CollectionSpec) -> [FieldError] {
        if case .failure(let failure) = BodyValidator.validateCreate(body, in: collection) { return failure.errors }
        return []
    }

    private func patchErrors(_ body: JSONValue, _ collection: CollectionSpec) -> [FieldError] {
        if case .failure(let failure) = BodyValidator.validatePatch(body, in: collection) { return failure.errors }
        return []
    }

    @Test func createFillsDefaultsAndKeepsTheClientID() throws {
        let input = try BodyValidator.validateCreate(["id": "my-opp", "title": "Staff engineer"], in: Catalog.opportunities).get()
        #expect(input.id == "my-opp")
        #expect(input.values["status"] == "prospect")
        #expect(input.values["title"] == "Staff engineer")
        #expect(input.values["company_id"] == .null)
        #expect(Set(input.values.keys) == Set(Catalog.opportunities.leaves.map(\.name)))
    }

    @Test func everyProblemIsReportedWithItsField() {
        let errors = createErrors(
            ["name": 42, "rank": -1, "colour": "blue", "created_at": "2020-01-01T00:00:00Z", "id": "has space"],
            Catalog.values)
        #expect(
            Set(errors.map(\.field)) == ["name", "rank", "colour", "created_at", "id"])
        #expect(errors.first { $0.field == "colour" }?.message == "is not a field of values")
        #expect(errors.first { $0.field == "name" }?.message == "must be a string, got a number")
    }

    /// Errors come in one order whatever the body's member order: the id's first, then by member name (a nested
    /// object's own in its member order), then the required fields left out.
    @Test func errorsComeInKeyOrder() {
        for _ in 0..<20 {
            let members: [(String, JSONValue)] = [
                ("zeta", 1), ("name", 42), ("compensation", ["currency": "euro", "bonus": 1]), ("alpha", true),
                ("created_at", "2020-01-01T00:00:00Z"), ("id", "has space"), ("years_experience", -1),
            ].shuffled()
            let errors = createErrors(.object(Dictionary(uniqueKeysWithValues: members)), Catalog.profile)
            #expect(
                errors.map(\.field) == [
                    "id", "alpha", "compensation.bonus", "compensation.currency", "created_at", "name",
                    "years_experience", "zeta",
                ])
        }
    }

    @Test func requiredFieldsAreRequiredOnCreateAndCannotBeNulledByPatch() {
        #expect(createErrors([:], Catalog.values).map(\.field) == ["name"])
        #expect(createErrors(["name": nil], Catalog.values).map(\.field) == ["name"])
        #expect(patchErrors(["name": nil], Catalog.values).map(\.message) == ["is required and cannot be null"])
        #expect(patchErrors(["why": nil], Catalog.values).isEmpty)
    }

    @Test func readOnlyFieldsAreRefused() {
        #expect(
            createErrors(["text": "Q?", "category": "custom", "builtin": true], Catalog.questions).map(\.field) == ["builtin"])
        #expect(patchErrors(["builtin": false], Catalog.questions).map(\.field) == ["builtin"])
    }

    @Test func theBodyMustBeAnObject() {
        for body: JSONValue in [[], "x", 1, nil, true] {
            #expect(createErrors(body, Catalog.values).map(\.field) == [""])
            #expect(patchErrors(body, Catalog.values).map(\.field) == [""])
        }
    }

    @Test func nestedObjectsMergeLeafByLeaf() throws {
        let values = try BodyValidator.validatePatch(
            ["compensation": ["currency": "EUR", "base_target": 90_000]], in: Catalog.profile
        ).get()
        #expect(values == ["compensation.currency": "EUR", "compensation.base_target": 90_000])
        let cleared = try BodyValidator.validatePatch(["leaving_reason": nil], in: Catalog.profile).get()
        #expect(cleared == ["leaving_reason.theme": nil, "leaving_reason.explanation": nil])
        #expect(
            patchErrors(["compensation": ["currency": "euro", "bonus": 1]], Catalog.profile).map(\.field).sorted()
                == ["compensation.bonus", "compensation.currency"])
        #expect(patchErrors(["compensation": "lots"], Catalog.profile).map(\.field) == ["compensation"])
    }

    static let typeCases: [(FieldType, JSONValue, Bool)] = [
        (FieldType.date, JSONValue.string("2026-02-29"), false),
        (.date, "2024-02-29", true),
        (.date, "2024-13-01", false),
        (.date, "24-01-01", false),
        (.dateTime, "2026-03-01T09:30:00Z", true),
        (.dateTime, "2026-03-01T09:30:00+02:00", true),
        (.dateTime, "2026-03-01 09:30:00", false),
        (.dateTime, "2026-03-01T25:30:00Z", false),
        // Stored in UTC, which must still be a four-digit year.
        (.dateTime, "9999-12-31T23:59:59+05:00", true),
        (.dateTime, "9999-12-31T23:59:59-05:00", false),
        (.dateTime, "0001-01-01T00:00:00-05:00", true),
        (.dateTime, "0001-01-01T00:00:00+05:00", false),
        (.email, "ana@example.com", true),
        (.email, "ana@example", false),
        (.email, "ana example@example.com", false),
        (.url, "https://example.com/jobs/1", true),
        (.url, "javascript:alert(1)", false),
        (.url, "https://exa mple.com", false),
        (.currency, "EUR", true),
        (.currency, "eur", false),
        (.integer(min: 0, max: 10), 10, true),
        (.integer(min: 0, max: 10), 11, false),
        (.integer(min: 0, max: 10), 2.5, false),
        (.integer(min: 0, max: 10), 3.0, true),
        (.integer(min: 0, max: 10), 1e300, false),
        (.integer(min: 0, max: 10), "3", false),
        (.line(maxLength: 5), "12345", true),
        (.line(maxLength: 5), "123456", false),
        (.line(maxLength: 50), "two\nlines", false),
        (.text(maxLength: 50), "two\nlines", true),
        (.text(maxLength: 50), "nul\u{0}byte", false),
        (.line(maxLength: 5), "ééééé", true),
        (.line(maxLength: 5), "éééééé", false),
        (.line(maxLength: 5), "😀😀日😀😀", true),
        (.line(maxLength: 4), "😀😀日😀😀", false),
        (.line(maxLength: 50), "tab\there", false),
        (.line(maxLength: 50), "del\u{7F}here", false),
        (.text(maxLength: 50), "tab\there", true),
        (.text(maxLength: 50), "del\u{7F}here", true),
        (.enumeration(["a", "b"]), "b", true),
        (.enumeration(["a", "b"]), "c", false),
        (.references("stories"), ["a", "b"], true),
        (.references("stories"), ["a", "a"], false),
        (.references("stories"), ["a/b"], false),
        (.tags, ["rust", "payments"], true),
        (.tags, ["", "x"], false),
        (.tags, [1], false),
        (.boolean, true, true),
        (.boolean, "true", false),
    ]

    @Test(arguments: typeCases)
    func fieldTypesAcceptAndRefuse(type: FieldType, value: JSONValue, valid: Bool) {
        switch type.validate(value) {
        case .valid: #expect(valid, "accepted \(value) as \(type)")
        case .invalid(let why): #expect(!valid, "refused \(value) as \(type): \(why)")
        }
    }

    @Test func dateTimesAreStoredInUTC() {
        #expect(FieldType.dateTime.validate("2026-03-01T09:30:00.5+02:00") == .valid("2026-03-01T07:30:00.500Z"))
    }

    @Test func recordIDs() {
        #expect(RecordID.isValid("abc-DEF_1.2~"))
        for bad in ["", ".", "..", "a/b", "a b", "é", String(repeating: "x", count: 129), "a%2Fb"] {
            #expect(!RecordID.isValid(bad), "\(bad)")
        }
        let made = RecordID.make(unixMillis: 1_795_759_200_123)
        #expect(RecordID.isValid(made) && made.count == 36)
        // A version 7 UUID: 8-4-4-4-12 lowercase hex digits, version 7, variant 10xx.
        let parts = made.split(separator: "-").map(String.init)
        #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
        #expect(made.allSatisfy { "0123456789abcdef-".contains($0) })
        #expect(parts[2].first == "7" && "89ab".contains(parts[3].first!))
        #expect(RecordID.make(unixMillis: 1_795_759_200_123) != made)
    }

    /// The random bits come from a pool refilled every 409 ids: ids made in one millisecond, across many refills and
    /// from several threads at once, never repeat.
    @Test func idsMadeInOneMillisecondNeverRepeat() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<2_000).map { _ in RecordID.make(unixMillis: 1_795_759_200_123) } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(ids.count == 8_000)
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.suffix(12) }).count == ids.count)
    }

    @Test func recordIDsStartWithTheirMillisecondAndSortByIt() {
        // 2026-11-27T06:00:00.123Z
        let millis: UInt64 = 1_795_759_200_123
        let id = RecordID.make(unixMillis: millis)
        #expect(id.prefix(13) == "01a21b96-d77b", "\(id)")
        let later = (0..<100).map { RecordID.make(unixMillis: millis + 1 + UInt64($0)) }
        #expect(later.allSatisfy { $0 > id })
        #expect(later == later.sorted())
    }
}
