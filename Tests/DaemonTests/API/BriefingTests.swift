import Foundation
import Model
import Testing

@testable import Daemon

/// `GET /v1/opportunities/{id}/briefing`.
@Suite struct BriefingTests {
    /// An opportunity at Acme with a referral, a tailored pitch, a tailored answer, general answers,
    /// stories, value assessments and activities.
    private func seed(_ client: APIClient) throws {
        try client.create(
            "companies", ["id": "acme", "name": "Acme | Co", "industry": "Fintech", "mission": "Money, simply"])
        try client.create("companies", ["id": "other", "name": "Other"])
        try client.create(
            "contacts",
            ["id": "bo", "name": "Bo", "relationship": "colleague", "company_id": "acme", "email": "bo@example.com"])
        try client.create("contacts", ["id": "cy", "name": "Cy", "company_id": "acme"])
        try client.create("contacts", ["id": "di", "name": "Di", "company_id": "other"])
        try client.create(
            "opportunities",
            [
                "id": "o1", "title": "Staff engineer", "company_id": "acme", "status": "interviewing",
                "referred_by": "bo",
                "url": "https://acme.example.com/jobs/1",
            ])
        try client.create("opportunities", ["id": "o2", "title": "Other role", "company_id": "other"])
        try client.create("pitches", ["id": "general", "title": "General", "who": "w", "recent": "r", "value": "v"])
        try client.create(
            "pitches", ["id": "for-acme", "title": "For Acme", "who": "Payments engineer", "company_id": "acme"])
        for (id, rank) in [("craft", 1), ("calm", 2), ("growth", 3)] {
            try client.create(
                "values", ["id": .string(id), "name": .string(id.capitalized), "rank": .int(Int64(rank))])
        }
        try client.create(
            "value-assessments",
            ["company_id": "acme", "value_id": "craft", "verdict": "shares", "evidence": "Code reviews"])
        try client.create("value-assessments", ["company_id": "acme", "value_id": "calm", "verdict": "unknown"])
        try client.create("value-assessments", ["company_id": "other", "value_id": "growth", "verdict": "conflicts"])
        try client.create("stories", ["id": "s1", "title": "# Ledger | `v2`", "use_case": "Reconciliation"])
        try client.create("stories", ["id": "s2", "title": "Outage", "kind": "mistake"])
        try client.create("stories", ["id": "s3", "title": "Unused"])
        try client.create("answers", ["question_id": "builtin-tell-me-about-yourself", "body": "General intro"])
        try client.create(
            "answers",
            [
                "question_id": "builtin-tell-me-about-yourself", "body": "Acme intro", "opportunity_id": "o1",
                "story_ids": ["s1"],
            ])
        try client.create("answers", ["question_id": "builtin-mistake", "body": "The outage", "story_ids": ["s2"]])
        try client.create(
            "answers",
            [
                "question_id": "builtin-strengths", "body": "For the other one", "opportunity_id": "o2",
                "story_ids": ["s3"],
            ])
        try client.create(
            "activities",
            ["id": "a2", "opportunity_id": "o1", "kind": "interview", "scheduled_at": "2026-07-02T09:00:00Z"])
        try client.create(
            "activities",
            [
                "id": "a1", "opportunity_id": "o1", "kind": "call", "scheduled_at": "2026-07-01T09:00:00Z",
                "notes": "Recruiter call",
            ])
        try client.create(
            "activities", ["id": "a0", "opportunity_id": "o1", "kind": "email", "done_at": "2026-06-01T09:00:00Z"])
        try client.create("activities", ["id": "a3", "opportunity_id": "o2", "kind": "call"])
    }

    @Test func theBriefingGathersWhatToReadBeforeTheInterview() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try seed(client)
        let response = try client.get("/v1/opportunities/o1/briefing")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "application/json")
        let b = try response.object()
        #expect(b["role"] == "Staff engineer")
        #expect(b["status"] == "interviewing")
        #expect(b["opportunity"]?.objectValue?["id"] == "o1")
        #expect(b["company"]?.objectValue?["name"] == "Acme | Co")
        #expect(b["pitch"]?.objectValue?["id"] == "for-acme")
        #expect(b["pitch_source"] == "company")
        let fit = b["value_fit"]!.arrayValue!.map {
            ($0.objectValue!["value_id"]!.stringValue!, $0.objectValue!["verdict"]!.stringValue!)
        }
        #expect(fit.map(\.0) == ["craft", "calm", "growth"])
        #expect(fit.map(\.1) == ["shares", "unknown", "not assessed"])
        #expect(b["referral"]?.objectValue?["id"] == "bo")
        #expect(Set(b["contacts"]!.arrayValue!.map { $0.objectValue!["id"]! }) == ["bo", "cy"])
        let answers = b["answers"]!.arrayValue!.map(\.objectValue!)
        let intro = answers.first { $0["question_id"] == "builtin-tell-me-about-yourself" }!
        #expect(intro["tailored"] == true)
        #expect(intro["answer"]?.objectValue?["body"] == "Acme intro")
        let mistake = answers.first { $0["question_id"] == "builtin-mistake" }!
        #expect(mistake["tailored"] == false && mistake["answer"]?.objectValue?["body"] == "The outage")
        let strengths = answers.first { $0["question_id"] == "builtin-strengths" }!
        #expect(strengths["answer"] == .null)
        #expect(answers.count == Catalog.builtinQuestions.count)
        #expect(b["stories"]!.arrayValue!.map { $0.objectValue!["id"]! } == ["s1", "s2"])
        #expect(b["open_activities"]!.arrayValue!.map { $0.objectValue!["id"]! } == ["a1", "a2"])
        #expect(b["dangling"] == [])
    }

    @Test func pitchesFallBackFromTailoredToGeneral() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try seed(client)
        #expect(try client.get("/v1/opportunities/o2/briefing").object()["pitch"]?.objectValue?["id"] == "general")
        try client.create("pitches", ["id": "for-o2", "title": "For o2", "opportunity_id": "o2"])
        let tailored = try client.get("/v1/opportunities/o2/briefing").object()
        #expect(tailored["pitch"]?.objectValue?["id"] == "for-o2")
        #expect(tailored["pitch_source"] == "opportunity")
        #expect(try client.patch("/v1/opportunities/o2", ["pitch_id": "general"]).status == 200)
        #expect(try client.get("/v1/opportunities/o2/briefing").object()["pitch"]?.objectValue?["id"] == "general")
    }

    @Test func deletedReferencesAreReportedNotFatal() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try seed(client)
        #expect(try client.delete("/v1/companies/acme").status == 204)
        #expect(try client.delete("/v1/stories/s1").status == 204)
        let b = try client.get("/v1/opportunities/o1/briefing").object()
        #expect(b["company"] == .null)
        let dangling = b["dangling"]!.arrayValue!.map { $0.objectValue!["id"]!.stringValue! }
        #expect(Set(dangling) == ["acme", "s1"])
        let markdown = try client.get("/v1/opportunities/o1/briefing", headers: [("Accept", "text/markdown")])
        #expect(markdown.status == 200)
        #expect(markdown.text.contains("## Missing records"))
    }

    @Test func theMarkdownBriefingReadsOnAPhone() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try seed(client)
        let response = try client.get("/v1/opportunities/o1/briefing", headers: [("Accept", "text/markdown")])
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/markdown; charset=utf-8")
        let lines = response.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == #"# Staff engineer at Acme \| Co"#)
        #expect(
            lines.filter { $0.hasPrefix("## ") } == [
                "## Company", "## Your pitch", "## Value fit", "## People", "## Answers", "## Stories to tell",
                "## Open activities",
            ])
        #expect(lines.contains("- **Posting:** <https://acme.example.com/jobs/1>"))
        #expect(lines.contains("- **Craft:** shares — Code reviews"))
        #expect(lines.contains("- **Growth:** not assessed"))
        #expect(lines.contains("- Referred by **Bo** (colleague) — bo@example.com"))
        #expect(lines.contains(##"### \# Ledger \| \`v2\`"##))
        #expect(lines.contains("Acme intro"))
        #expect(!lines.contains { $0.hasPrefix("```") || $0.hasPrefix("|") })
        #expect(lines.contains { $0.hasPrefix("- 2026-07-01T09:00:00.000Z — call: Recruiter call") })
    }

    @Test func unknownOpportunitiesAndWrongMethods() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try client.get("/v1/opportunities/nope/briefing").problem(404)
        try client.get("/v1/companies/x/briefing").problem(404)
        try client.create("opportunities", ["id": "o", "title": "T"])
        try client.request("POST", "/v1/opportunities/o/briefing").problem(405)
        let b = try client.get("/v1/opportunities/o/briefing").object()
        #expect(b["company"] == .null && b["pitch"] == .null)
        #expect(try client.delete("/v1/opportunities/o").status == 204)
        try client.get("/v1/opportunities/o/briefing").problem(404)
    }
}
