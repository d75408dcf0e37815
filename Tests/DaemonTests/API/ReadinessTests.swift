import Foundation
import Model
import Testing

@testable import Daemon

/// `GET /v1/readiness` against a real daemon whose clock reads 2026-06-15T12:00:00Z: each check
/// fails, passes once the data is complete, and fails again when a record goes away.
@Suite struct ReadinessTests {
    static let now = CalendarDate.parseDateTime("2026-06-15T12:00:00Z")!

    private func daemon() throws -> TestDaemon {
        try TestDaemon { $0.api.clock = { ReadinessTests.now } }
    }

    /// The checks by id.
    private func checks(_ client: APIClient) throws -> [String: [String: JSONValue]] {
        let response = try client.get("/v1/readiness")
        #expect(response.status == 200, "\(response.text)")
        let report = try response.object()
        var out: [String: [String: JSONValue]] = [:]
        for check in report["checks"]?.arrayValue ?? [] {
            let object = check.objectValue!
            #expect(Set(object.keys) == ["id", "title", "passed", "detail", "hint", "records"])
            out[object["id"]!.stringValue!] = object
        }
        return out
    }

    private func passed(_ client: APIClient, _ id: String) throws -> Bool {
        try checks(client)[id]?["passed"] == .bool(true)
    }

    private func failing(_ client: APIClient, _ id: String) throws -> [String] {
        try checks(client)[id]?["records"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? []
    }

    private func detail(_ client: APIClient, _ id: String) throws -> String {
        try checks(client)[id]?["detail"]?.stringValue ?? ""
    }

    @Test func theReportHasEveryCheckAndAScore() throws {
        let d = try daemon()
        let client = try d.client()
        let report = try client.get("/v1/readiness").object()
        #expect(report["as_of"] == "2026-06-15")
        #expect(report["total"] == 12)
        #expect(report["passed"] == 2)
        #expect(report["score"] == 17)
        try client.get("/v1/readiness?x=1").problem(400)
        try client.request("POST", "/v1/readiness").problem(405)
        client.token = nil
        try client.get("/v1/readiness").problem(401)
    }

    @Test func valuesAndIndustries() throws {
        let d = try daemon()
        let client = try d.client()
        for i in 1...2 { try client.create("values", ["id": .string("v\(i)"), "name": .string("Value \(i)")]) }
        #expect(try !passed(client, "values"))
        try client.create("values", ["id": "v3", "name": "Value 3"])
        #expect(try passed(client, "values"))
        #expect(try client.delete("/v1/values/v2").status == 204)
        #expect(try !passed(client, "values"))

        for i in 1...2 {
            try client.create("industries", ["id": .string("i\(i)"), "name": "Fintech", "stance": "target"])
        }
        try client.create("industries", ["id": "i3", "name": "Gambling", "stance": "avoid"])
        #expect(try !passed(client, "target_industries"))
        try client.create("industries", ["id": "i4", "name": "Health", "stance": "target"])
        #expect(try passed(client, "target_industries"))
        #expect(try client.delete("/v1/industries/i4").status == 204)
        #expect(try !passed(client, "target_industries"))
    }

    @Test func idealRoleAndCompensation() throws {
        let d = try daemon()
        let client = try d.client()
        #expect(try !passed(client, "ideal_role"))
        #expect(try client.patch("/v1/profile", ["ideal_role": "A staff role on a product team"]).status == 200)
        #expect(try passed(client, "ideal_role"))
        #expect(try client.patch("/v1/profile", ["ideal_role": nil]).status == 200)
        #expect(try !passed(client, "ideal_role"))
        let answer = try client.create(
            "answers", ["question_id": "builtin-ideal-role", "body": "Owning a product area"])
        #expect(try passed(client, "ideal_role"))
        #expect(try client.delete("/v1/answers/\(answer["id"]!.stringValue!)").status == 204)
        #expect(try !passed(client, "ideal_role"))

        #expect(
            try client.patch("/v1/profile", ["compensation": ["currency": "EUR", "base_target": 90_000]]).status == 200)
        #expect(try detail(client, "compensation").contains("total target"))
        #expect(try client.patch("/v1/profile", ["compensation": ["total_target": 110_000]]).status == 200)
        #expect(try !passed(client, "compensation"))
        try client.create("compensation-research", ["id": "r1", "role": "Staff engineer", "median": 95_000])
        #expect(try passed(client, "compensation"))
        #expect(try client.delete("/v1/compensation-research/r1").status == 204)
        #expect(try !passed(client, "compensation"))
    }

    @Test func generalPitch() throws {
        let d = try daemon()
        let client = try d.client()
        try client.create("companies", ["id": "acme", "name": "Acme"])
        try client.create(
            "pitches",
            ["id": "tailored", "title": "Acme", "who": "w", "recent": "r", "value": "v", "company_id": "acme"])
        #expect(try !passed(client, "general_pitch"))
        try client.create("pitches", ["id": "p1", "title": "Main", "who": "Engineer", "recent": "Shipped billing"])
        #expect(try !passed(client, "general_pitch"))
        #expect(try failing(client, "general_pitch") == ["p1"])
        #expect(try detail(client, "general_pitch").contains("its business value"))
        #expect(try client.patch("/v1/pitches/p1", ["value": "Cut churn by 4%"]).status == 200)
        #expect(try passed(client, "general_pitch"))
        #expect(try client.delete("/v1/pitches/p1").status == 204)
        #expect(try !passed(client, "general_pitch"))
    }

    @Test func builtinAnswers() throws {
        let d = try daemon()
        let client = try d.client()
        let builtin = Catalog.builtinQuestions.map(\.id)
        #expect(try failing(client, "builtin_answers") == builtin)
        var answers: [String: String] = [:]
        for id in builtin.dropLast() {
            answers[id] = try client.create("answers", ["question_id": .string(id), "body": "My answer"])["id"]!
                .stringValue!
        }
        // A tailored answer does not count: the general one is the base.
        try client.create("opportunities", ["id": "o1", "title": "Staff"])
        try client.create("answers", ["question_id": .string(builtin.last!), "body": "For o1", "opportunity_id": "o1"])
        #expect(try failing(client, "builtin_answers") == [builtin.last!])
        #expect(try detail(client, "builtin_answers").contains("Describe your ideal role."))
        try client.create("answers", ["question_id": .string(builtin.last!), "body": "General"])
        #expect(try passed(client, "builtin_answers"))
        #expect(try client.delete("/v1/answers/\(answers[builtin[2]]!)").status == 204)
        #expect(try failing(client, "builtin_answers") == [builtin[2]])
    }

    @Test func storiesAndTheRecentAccomplishment() throws {
        let d = try daemon()
        let client = try d.client()
        #expect(try !passed(client, "story_details"))
        try client.create(
            "stories", ["id": "s1", "title": "Ledger", "use_case": "u", "challenges": "c", "outcome": "o"])
        #expect(try failing(client, "story_details") == ["s1"])
        #expect(try detail(client, "story_details").contains("\"Ledger\" lacks design"))
        #expect(try client.patch("/v1/stories/s1", ["design": "Event sourced"]).status == 200)
        #expect(try passed(client, "story_details"))

        #expect(try !passed(client, "recent_accomplishment"))
        #expect(try client.patch("/v1/stories/s1", ["kind": "accomplishment", "ended_on": "2023-12-31"]).status == 200)
        #expect(try failing(client, "recent_accomplishment") == ["s1"])
        #expect(try client.patch("/v1/stories/s1", ["ended_on": "2025-09-30"]).status == 200)
        #expect(try passed(client, "recent_accomplishment"))

        #expect(try client.delete("/v1/stories/s1").status == 204)
        #expect(try !passed(client, "story_details"))
        #expect(try !passed(client, "recent_accomplishment"))
    }

    @Test func weaknessMitigations() throws {
        let d = try daemon()
        let client = try d.client()
        try client.create("traits", ["id": "t1", "kind": "strength", "text": "Calm"])
        #expect(try !passed(client, "weakness_mitigations"))
        try client.create("traits", ["id": "t2", "kind": "weakness", "text": "Public speaking"])
        #expect(try failing(client, "weakness_mitigations") == ["t2"])
        #expect(try client.patch("/v1/traits/t2", ["mitigation": "Toastmasters, monthly talks"]).status == 200)
        #expect(try passed(client, "weakness_mitigations"))
        try client.create("traits", ["id": "t3", "kind": "weakness", "text": "Delegation"])
        #expect(try failing(client, "weakness_mitigations") == ["t3"])
        #expect(try client.delete("/v1/traits/t3").status == 204)
        #expect(try passed(client, "weakness_mitigations"))
        #expect(try client.delete("/v1/traits/t2").status == 204)
        #expect(try !passed(client, "weakness_mitigations"))
    }

    @Test func valueFitOfActiveOpportunities() throws {
        let d = try daemon()
        let client = try d.client()
        for v in ["craft", "calm"] { try client.create("values", ["id": .string(v), "name": .string(v.capitalized)]) }
        try client.create("companies", ["id": "acme", "name": "Acme"])
        try client.create(
            "opportunities", ["id": "o1", "title": "Staff", "company_id": "acme", "status": "interviewing"])
        try client.create("opportunities", ["id": "o2", "title": "Old", "company_id": "acme", "status": "rejected"])
        #expect(try failing(client, "value_fit") == ["o1"])
        try client.create(
            "value-assessments", ["id": "a1", "company_id": "acme", "value_id": "craft", "verdict": "shares"])
        #expect(try !passed(client, "value_fit"))
        #expect(try detail(client, "value_fit").contains("Acme (\"Staff\") is not assessed against Calm"))
        try client.create(
            "value-assessments", ["id": "a2", "company_id": "acme", "value_id": "calm", "verdict": "partly"])
        #expect(try passed(client, "value_fit"))
        #expect(try client.delete("/v1/value-assessments/a2").status == 204)
        #expect(try failing(client, "value_fit") == ["o1"])
    }

    @Test func overdueFollowUps() throws {
        let d = try daemon()
        let client = try d.client()
        #expect(try passed(client, "follow_ups"))
        try client.create("contacts", ["id": "bo", "name": "Bo", "next_follow_up_on": "2026-06-10"])
        #expect(try failing(client, "follow_ups") == ["bo"])
        #expect(try detail(client, "follow_ups").contains("follow up with Bo (due 2026-06-10)"))
        #expect(try client.patch("/v1/contacts/bo", ["next_follow_up_on": "2026-06-20"]).status == 200)
        #expect(try passed(client, "follow_ups"))
        try client.create(
            "activities", ["id": "f1", "kind": "follow_up", "contact_id": "bo", "scheduled_at": "2026-06-14T09:00:00Z"])
        try client.create("activities", ["id": "f2", "kind": "follow_up", "scheduled_at": "2026-06-16T09:00:00Z"])
        try client.create("activities", ["id": "c1", "kind": "call", "scheduled_at": "2026-06-01T09:00:00Z"])
        #expect(try failing(client, "follow_ups") == ["f1"])
        #expect(try client.patch("/v1/activities/f1", ["done_at": "2026-06-14T10:00:00Z"]).status == 200)
        #expect(try passed(client, "follow_ups"))
    }

    @Test func referencesLeftDanglingByADelete() throws {
        let d = try daemon()
        let client = try d.client()
        try client.create("stories", ["id": "s1", "title": "Ledger"])
        let answer = try client.create("answers", ["question_id": "builtin-mistake", "story_ids": ["s1"]])
        let answerID = answer["id"]!.stringValue!
        #expect(try passed(client, "references"))
        #expect(try client.delete("/v1/stories/s1").status == 204)
        #expect(try failing(client, "references") == [answerID])
        #expect(try detail(client, "references").contains("story_ids → stories/s1"))
        #expect(try client.patch("/v1/answers/\(answerID)", ["story_ids": []]).status == 200)
        #expect(try passed(client, "references"))
    }

    @Test func aCompleteDatasetScoresOneHundred() throws {
        let d = try daemon()
        let client = try d.client()
        for i in 1...3 {
            try client.create("values", ["id": .string("v\(i)"), "name": .string("Value \(i)")])
            try client.create("industries", ["name": .string("Industry \(i)"), "stance": "target"])
        }
        #expect(
            try client.patch(
                "/v1/profile",
                ["ideal_role": "x", "compensation": ["currency": "EUR", "base_target": 1, "total_target": 2]]
            ).status == 200)
        try client.create("compensation-research", ["role": "Staff"])
        try client.create("pitches", ["title": "Main", "who": "w", "recent": "r", "value": "v"])
        try client.create(
            "stories",
            [
                "id": "s1", "title": "Ledger", "kind": "accomplishment", "use_case": "u", "design": "d",
                "challenges": "c",
                "outcome": "o", "ended_on": "2026-01-31",
            ])
        for question in Catalog.builtinQuestions {
            try client.create("answers", ["question_id": .string(question.id), "body": "Answer", "story_ids": ["s1"]])
        }
        try client.create("traits", ["kind": "weakness", "text": "Impatience", "mitigation": "Pair more"])
        try client.create("companies", ["id": "acme", "name": "Acme"])
        try client.create("opportunities", ["title": "Staff", "company_id": "acme"])
        for i in 1...3 {
            try client.create(
                "value-assessments", ["company_id": "acme", "value_id": .string("v\(i)"), "verdict": "shares"])
        }
        let report = try client.get("/v1/readiness").object()
        let failed = report["checks"]!.arrayValue!.filter { $0.objectValue!["passed"] != true }
        #expect(failed.isEmpty, "\(failed)")
        #expect(report["score"] == 100)
    }
}
