import Model
import Storage
import Testing

@testable import Daemon

/// The readiness rules on hand-made data, with a fixed date: 2026-06-15T12:00:00Z.
@Suite struct ReadinessRulesTests {
    static let clock = ViewClock(millis: CalendarDate.parseDateTime("2026-06-15T12:00:00Z")!)

    private func data(_ records: [String: [(String, [String: JSONValue])]]) -> ViewData {
        ViewData(records: records.mapValues { $0.map { ProjectedRecord(id: $0.0, values: $0.1) } })
    }

    private func check(_ id: String, _ records: [String: [(String, [String: JSONValue])]]) -> ReadinessCheck {
        Readiness.evaluate(data(records), clock: Self.clock).checks.first { $0.id == id }!
    }

    @Test func everyCheckOfTheGuideIsThereOnce() {
        let ids = Readiness.evaluate(data([:]), clock: Self.clock).checks.map(\.id)
        #expect(
            ids == [
                "values", "target_industries", "ideal_role", "compensation", "general_pitch", "builtin_answers",
                "story_details", "recent_accomplishment", "weakness_mitigations", "value_fit", "follow_ups",
                "references",
            ])
    }

    @Test func aNewDatasetPassesOnlyTheNothingIsWrongChecks() {
        let builtin = Catalog.builtinQuestions.map { ($0.id, ["text": JSONValue.string($0.text), "builtin": true]) }
        let report = Readiness.evaluate(data(["questions": builtin]), clock: Self.clock)
        #expect(report.checks.filter(\.passed).map(\.id) == ["follow_ups", "references"])
        #expect(report.score == 17)
        #expect(report.asOf == "2026-06-15")
    }

    @Test func aStoryIsRecentWhenItEndedWithinTwoYears() {
        func recent(_ ended: String) -> Bool {
            check(
                "recent_accomplishment", ["stories": [("s", ["kind": "accomplishment", "ended_on": .string(ended)])]]
            )
            .passed
        }
        #expect(recent("2024-06-15"))
        #expect(!recent("2024-06-14"))
        #expect(recent("2026-01-01"))
    }

    @Test func aRecentProjectStoryCountsWhenAnAccomplishmentAnswerTellsIt() {
        let story: [String: JSONValue] = ["kind": "project", "ended_on": "2026-01-01", "title": "Ledger"]
        #expect(!check("recent_accomplishment", ["stories": [("s", story)]]).passed)
        let linked = check(
            "recent_accomplishment",
            [
                "stories": [("s", story)],
                "questions": [("q", ["category": "accomplishment"])],
                "answers": [("a", ["question_id": "q", "story_ids": ["s"]])],
            ])
        #expect(linked.passed)
        #expect(linked.detail.contains("Ledger"))
    }

    @Test func followUpsAreOverdueFromTheDayAfter() {
        func overdue(_ due: String) -> Bool {
            !check("follow_ups", ["contacts": [("c", ["name": "Bo", "next_follow_up_on": .string(due)])]]).passed
        }
        #expect(overdue("2026-06-14"))
        #expect(!overdue("2026-06-15"))
        let activity = check(
            "follow_ups",
            ["activities": [("x", ["kind": "follow_up", "scheduled_at": "2026-06-15T11:59:00.000Z", "done_at": nil])]])
        #expect(!activity.passed)
        #expect(activity.records.map(\.id) == ["x"])
        let later = check(
            "follow_ups",
            ["activities": [("x", ["kind": "follow_up", "scheduled_at": "2026-06-15T12:01:00.000Z", "done_at": nil])]])
        #expect(later.passed)
    }

    @Test func anUnknownVerdictIsNotAnAssessment() {
        let records: [String: [(String, [String: JSONValue])]] = [
            "values": [("v", ["name": "Craft"])],
            "companies": [("c", ["name": "Acme"])],
            "opportunities": [("o", ["title": "Staff", "status": "applied", "company_id": "c"])],
            "value-assessments": [("a", ["company_id": "c", "value_id": "v", "verdict": "unknown"])],
        ]
        let failing = check("value_fit", records)
        #expect(!failing.passed)
        #expect(failing.detail.contains("Acme") && failing.detail.contains("Craft"))
        var assessed = records
        assessed["value-assessments"] = [("a", ["company_id": "c", "value_id": "v", "verdict": "partly"])]
        #expect(check("value_fit", assessed).passed)
        var closed = records
        closed["opportunities"] = [("o", ["title": "Staff", "status": "rejected", "company_id": "c"])]
        #expect(check("value_fit", closed).detail == "No active opportunities yet.")
    }

    @Test func danglingReferencesAreNamed() {
        let failing = check(
            "references",
            ["answers": [("a", ["question_id": "q", "story_ids": ["s1", "s2"]])], "stories": [("s1", [:])]])
        #expect(!failing.passed)
        #expect(failing.detail.contains("questions/q") && failing.detail.contains("stories/s2"))
        #expect(!failing.detail.contains("stories/s1"))
    }

    @Test func theScoreIsTheShareOfPassedChecks() {
        let report = ReadinessReport(
            checks: (0..<3).map {
                ReadinessCheck(id: "\($0)", title: "", passed: $0 < 2, detail: "", hint: "", records: [])
            },
            asOf: "")
        #expect(report.score == 67)
    }

    @Test func countsReadLikeSentences() {
        #expect(
            Readiness.counted(["A", "B"], one: "value", many: "values", minimum: 3) == "2 values of at least 3: A, B.")
        #expect(Readiness.counted(["A", "B", "C"], one: "value", many: "values", minimum: 3) == "3 values: A, B, C.")
        #expect(
            Readiness.counted(["Fintech"], one: "target industry", many: "target industries", minimum: 3)
                == "1 target industry of at least 3: Fintech.")
        #expect(Readiness.counted([], one: "value", many: "values", minimum: 3) == "No values yet.")
        let industries = check("target_industries", ["industries": [("i", ["name": "Health", "stance": "target"])]])
        #expect(industries.detail == "1 target industry of at least 3: Health.")
    }
}
