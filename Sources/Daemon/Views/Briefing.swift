import Model
import Storage

/// Everything to read before an interview for one opportunity (`GET /v1/opportunities/{id}/briefing`).
struct Briefing {
    typealias Document = [String: JSONValue]

    struct ValueFit {
        let value: Document
        /// The latest assessment of the company against the value, if any.
        let assessment: Document?

        var verdict: String { assessment?["verdict"]?.stringValue ?? "not assessed" }
    }

    struct QuestionAnswer {
        let question: Document
        /// The answer tailored to this opportunity, else the general one; nil when unanswered.
        let answer: Document?
        let tailored: Bool
    }

    /// A reference that names a record no longer there.
    struct Dangling {
        let field: String
        let collection: String
        let id: String
    }

    let opportunity: Document
    let company: Document?
    let pitch: Document?
    /// `opportunity`, `company` or `general`: what the pitch is tailored to.
    let pitchSource: String?
    let valueFit: [ValueFit]
    let referral: Document?
    let contacts: [Document]
    let answers: [QuestionAnswer]
    let stories: [Document]
    let openActivities: [Document]
    let dangling: [Dangling]

    /// Gathers the briefing of a live opportunity, or nil when there is none with that id.
    static func build(_ session: ReadSession, opportunityID: String) throws -> Briefing? {
        guard let opportunity = try document(session.record(Catalog.opportunities, id: opportunityID)) else {
            return nil
        }
        var dangling: [Dangling] = []
        func follow(_ field: String, _ collection: CollectionSpec) throws -> Document? {
            guard let id = opportunity[field]?.stringValue else { return nil }
            if let found = try document(session.record(collection, id: id)) { return found }
            dangling.append(Dangling(field: field, collection: collection.name, id: id))
            return nil
        }
        let company = try follow("company_id", Catalog.companies)
        let companyID = company.flatMap { $0["id"]?.stringValue }
        let referral = try follow("referred_by", Catalog.contacts)

        // The pitch: the one the opportunity names, else one tailored to it, to its company, or general.
        var pitch = try follow("pitch_id", Catalog.pitches)
        var pitchSource: String? = pitch == nil ? nil : "opportunity"
        if pitch == nil {
            pitch = latest(try documents(session, Catalog.pitches, ["opportunity_id": .string(opportunityID)]))
            if pitch != nil { pitchSource = "opportunity" }
        }
        if pitch == nil, let companyID {
            pitch = latest(
                try documents(session, Catalog.pitches, ["company_id": .string(companyID), "opportunity_id": .null]))
            if pitch != nil { pitchSource = "company" }
        }
        if pitch == nil {
            let general = try documents(session, Catalog.pitches, ["company_id": .null, "opportunity_id": .null])
            let complete = general.filter { p in ["who", "recent", "value"].allSatisfy { p[$0]?.hasText ?? false } }
            pitch = latest(complete.isEmpty ? general : complete)
            if pitch != nil { pitchSource = "general" }
        }

        // Value fit: every value, by rank, with the company's latest assessment against it.
        var assessments: [String: Document] = [:]
        if let companyID {
            for assessment in try documents(session, Catalog.valueAssessments, ["company_id": .string(companyID)]) {
                guard let value = assessment["value_id"]?.stringValue else { continue }
                if let current = assessments[value], assessmentKey(current) >= assessmentKey(assessment) { continue }
                assessments[value] = assessment
            }
        }
        let values = try documents(session, Catalog.values).sorted(byKey: rankKey) { $0 < $1 }
        let valueFit = values.map { ValueFit(value: $0, assessment: assessments[$0["id"]!.stringValue!]) }

        let contacts =
            try companyID.map { try documents(session, Catalog.contacts, ["company_id": .string($0)]) } ?? []

        // Answers: tailored to this opportunity, else general, for every question answered and every built-in one.
        var tailored: [String: Document] = [:]
        for answer in try documents(session, Catalog.answers, ["opportunity_id": .string(opportunityID)]) {
            pick(answer, into: &tailored)
        }
        var general: [String: Document] = [:]
        for answer in try documents(session, Catalog.answers, ["opportunity_id": .null]) {
            pick(answer, into: &general)
        }
        var answers: [QuestionAnswer] = []
        let questions = try documents(session, Catalog.questions).sorted(byKey: questionKey) { $0 < $1 }
        for question in questions {
            let id = question["id"]!.stringValue!
            if let answer = tailored[id] {
                answers.append(QuestionAnswer(question: question, answer: answer, tailored: true))
            } else if let answer = general[id] {
                answers.append(QuestionAnswer(question: question, answer: answer, tailored: false))
            } else if question["builtin"] == .bool(true) {
                answers.append(QuestionAnswer(question: question, answer: nil, tailored: false))
            }
        }

        // The stories those answers tell, in the order they are first used.
        var stories: [Document] = []
        var seen = Set<String>()
        for item in answers {
            for storyID in item.answer?["story_ids"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                guard seen.insert(storyID).inserted else { continue }
                if let story = try document(session.record(Catalog.stories, id: storyID)) {
                    stories.append(story)
                } else {
                    dangling.append(Dangling(field: "answers.story_ids", collection: Catalog.stories.name, id: storyID))
                }
            }
        }

        let openActivities = try documents(session, Catalog.activities, ["opportunity_id": .string(opportunityID)])
            .filter { ($0["done_at"] ?? .null).isNull }
            .sorted(byKey: { ($0["scheduled_at"]?.stringValue ?? "~", $0["id"]?.stringValue ?? "") }) { $0 < $1 }

        return Briefing(
            opportunity: opportunity, company: company, pitch: pitch, pitchSource: pitchSource, valueFit: valueFit,
            referral: referral, contacts: contacts, answers: answers, stories: stories, openActivities: openActivities,
            dangling: dangling)
    }

    // MARK: JSON

    var json: JSONValue {
        [
            "opportunity": .object(opportunity),
            "role": opportunity["title"] ?? .null,
            "status": opportunity["status"] ?? .null,
            "company": company.map(JSONValue.object) ?? .null,
            "pitch": pitch.map(JSONValue.object) ?? .null,
            "pitch_source": pitchSource.map(JSONValue.string) ?? .null,
            "value_fit": .array(
                valueFit.map { fit in
                    [
                        "value_id": fit.value["id"] ?? .null, "value": fit.value["name"] ?? .null,
                        "rank": fit.value["rank"] ?? .null, "verdict": .string(fit.verdict),
                        "evidence": fit.assessment?["evidence"] ?? .null,
                        "observed_on": fit.assessment?["observed_on"] ?? .null,
                        "assessment_id": fit.assessment?["id"] ?? .null,
                    ]
                }),
            "referral": referral.map(JSONValue.object) ?? .null,
            "contacts": .array(contacts.map(JSONValue.object)),
            "answers": .array(
                answers.map { item in
                    [
                        "question_id": item.question["id"] ?? .null, "question": item.question["text"] ?? .null,
                        "category": item.question["category"] ?? .null, "tailored": .bool(item.tailored),
                        "answer": item.answer.map(JSONValue.object) ?? .null,
                    ]
                }),
            "stories": .array(stories.map(JSONValue.object)),
            "open_activities": .array(openActivities.map(JSONValue.object)),
            "dangling": .array(
                dangling.map {
                    ["field": .string($0.field), "collection": .string($0.collection), "id": .string($0.id)]
                }),
        ]
    }

    // MARK: Markdown

    /// A page to read on a phone before walking in: short sections, lists rather than tables.
    var markdown: String {
        var md = Markdown()
        let role = opportunity["title"]?.stringValue ?? "Opportunity"
        let companyName = company?["name"]?.stringValue
        md.heading(1, companyName.map { "\(role) at \($0)" } ?? role)
        var facts = ["**Status:** " + Markdown.inline(opportunity["status"]?.stringValue ?? "unknown")]
        if let applied = opportunity["applied_on"]?.stringValue {
            facts.append("**Applied:** " + Markdown.inline(applied))
        }
        if let source = opportunity["source"]?.stringValue { facts.append("**Source:** " + Markdown.inline(source)) }
        if let url = opportunity["url"]?.stringValue { facts.append("**Posting:** " + Markdown.link(url)) }
        md.list(facts)
        md.paragraph(opportunity["notes"]?.stringValue)

        md.heading(2, "Company")
        if let company {
            var items: [String] = []
            if let industry = company["industry"]?.stringValue {
                items.append("**Industry:** " + Markdown.inline(industry))
            }
            if let website = company["website"]?.stringValue { items.append("**Website:** " + Markdown.link(website)) }
            md.list(items)
            md.labelled("Mission", company["mission"]?.stringValue)
            md.labelled("Notes", company["notes"]?.stringValue)
            if items.isEmpty, !(company["mission"]?.hasText ?? false), !(company["notes"]?.hasText ?? false) {
                md.note("Nothing noted about the company yet.")
            }
        } else {
            md.note("No company recorded for this opportunity.")
        }

        md.heading(2, "Your pitch")
        if let pitch {
            let tailoring = pitchSource == "general" ? "general pitch" : "tailored to this \(pitchSource ?? "")"
            md.block("_" + Markdown.inline(pitch["title"]?.stringValue ?? "Pitch") + " (\(tailoring))_")
            md.labelled("Who you are", pitch["who"]?.stringValue)
            md.labelled("What you did recently", pitch["recent"]?.stringValue)
            md.labelled("Why it matters", pitch["value"]?.stringValue)
        } else {
            md.note("No pitch yet: write a general one with who you are, what you did recently and its value.")
        }

        md.heading(2, "Value fit")
        if valueFit.isEmpty {
            md.note("No values recorded yet.")
        } else {
            md.list(
                valueFit.map { fit in
                    var line = "**" + Markdown.inline(fit.value["name"]?.stringValue ?? "") + ":** " + fit.verdict
                    if let evidence = fit.assessment?["evidence"]?.stringValue, !evidence.isBlank {
                        line += " — " + Markdown.inline(evidence)
                    }
                    return line
                })
        }

        md.heading(2, "People")
        var people: [String] = []
        if let referral { people.append("Referred by " + contactLine(referral)) }
        for contact in contacts where contact["id"] != referral?["id"] { people.append(contactLine(contact)) }
        if people.isEmpty { md.note("No contacts at this company yet.") } else { md.list(people) }

        md.heading(2, "Answers")
        let unanswered = answers.filter { !($0.answer?["body"]?.hasText ?? false) }
        if unanswered.count == answers.count { md.note("No answers yet.") }
        for item in answers {
            guard let answer = item.answer, answer["body"]?.hasText ?? false else { continue }
            md.heading(3, item.question["text"]?.stringValue ?? "")
            if item.tailored { md.note("Tailored to this opportunity.") }
            md.paragraph(answer["body"]?.stringValue)
            let titles = (answer["story_ids"]?.arrayValue ?? []).compactMap { id in
                stories.first { $0["id"] == id }?["title"]?.stringValue
            }
            if !titles.isEmpty { md.block("Stories: " + titles.map(Markdown.inline).joined(separator: ", ")) }
        }
        if !unanswered.isEmpty, unanswered.count < answers.count {
            md.heading(3, "Not answered yet")
            md.list(unanswered.map { Markdown.inline($0.question["text"]?.stringValue ?? "") })
        } else if !unanswered.isEmpty {
            md.list(unanswered.map { Markdown.inline($0.question["text"]?.stringValue ?? "") })
        }

        md.heading(2, "Stories to tell")
        if stories.isEmpty { md.note("None of these answers uses a story yet.") }
        for story in stories { Self.story(story, into: &md) }

        md.heading(2, "Open activities")
        if openActivities.isEmpty {
            md.note("Nothing open.")
        } else {
            md.list(
                openActivities.map { activity in
                    var line =
                        Markdown.inline(activity["scheduled_at"]?.stringValue ?? "unscheduled") + " — "
                        + Markdown.inline(activity["kind"]?.stringValue ?? "")
                    if let notes = activity["notes"]?.stringValue, !notes.isBlank {
                        line += ": " + Markdown.inline(notes)
                    }
                    return line
                })
        }

        if !dangling.isEmpty {
            md.heading(2, "Missing records")
            md.list(
                dangling.map { Markdown.inline("\($0.field) names \($0.collection)/\($0.id), which no longer exists") })
        }
        return md.text
    }

    /// A story told in full (also used by the prep sheet).
    static func story(_ story: Document, into md: inout Markdown, level: Int = 3) {
        md.heading(level, story["title"]?.stringValue ?? "")
        var facts: [String] = []
        if let kind = story["kind"]?.stringValue { facts.append(Markdown.inline(kind)) }
        let started = story["started_on"]?.stringValue
        let ended = story["ended_on"]?.stringValue
        if started != nil || ended != nil {
            facts.append(Markdown.inline((started ?? "?") + " to " + (ended ?? "now")))
        }
        let tags = story["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !tags.isEmpty { facts.append("tags: " + tags.map(Markdown.inline).joined(separator: ", ")) }
        if !facts.isEmpty { md.block("_" + facts.joined(separator: " · ") + "_") }
        md.labelled("Use case", story["use_case"]?.stringValue)
        md.labelled("Design", story["design"]?.stringValue)
        md.labelled("Challenges", story["challenges"]?.stringValue)
        md.labelled("Outcome", story["outcome"]?.stringValue)
    }

    private func contactLine(_ contact: Document) -> String {
        var line = "**" + Markdown.inline(contact["name"]?.stringValue ?? "") + "**"
        if let relationship = contact["relationship"]?.stringValue {
            line += " (" + Markdown.inline(relationship) + ")"
        }
        let reach = [contact["email"], contact["phone"]].compactMap { $0?.stringValue }.map(Markdown.inline)
        if !reach.isEmpty { line += " — " + reach.joined(separator: ", ") }
        if let notes = contact["notes"]?.stringValue, !notes.isBlank { line += ": " + Markdown.inline(notes) }
        return line
    }

    // MARK: Helpers

    static func document(_ record: StoredRecord?) throws -> Document? {
        guard let record else { return nil }
        return try JSONParser.parse(record.body).objectValue
    }

    static func documents(
        _ session: ReadSession, _ collection: CollectionSpec, _ filters: [String: JSONValue] = [:]
    ) throws -> [Document] {
        try session.documents(collection, where: filters).compactMap { try JSONParser.parse($0).objectValue }
    }

    /// The most recently updated document (ties: the greater id).
    static func latest(_ documents: [Document]) -> Document? {
        documents.max { updatedKey($0) < updatedKey($1) }
    }

    private static func updatedKey(_ d: Document) -> (String, String) {
        (d["updated_at"]?.stringValue ?? "", d["id"]?.stringValue ?? "")
    }

    static func assessmentKey(_ d: Document) -> (String, String, String) {
        (d["observed_on"]?.stringValue ?? "", d["updated_at"]?.stringValue ?? "", d["id"]?.stringValue ?? "")
    }

    /// Keeps, per question, the answer with text that was updated last.
    private static func pick(_ answer: Document, into best: inout [String: Document]) {
        guard let question = answer["question_id"]?.stringValue else { return }
        if let current = best[question] {
            let currentHasText = current["body"]?.hasText ?? false
            let newHasText = answer["body"]?.hasText ?? false
            if currentHasText && !newHasText { return }
            if currentHasText == newHasText, updatedKey(current) >= updatedKey(answer) { return }
        }
        best[question] = answer
    }

    static func rankKey(_ d: Document) -> (Int64, String, String) {
        (d["rank"]?.integerValue ?? Int64.max, d["name"]?.stringValue ?? "", d["id"]?.stringValue ?? "")
    }

    /// Built-in questions in the product's order, then the others by text.
    static func questionKey(_ d: Document) -> (Int, String, String) {
        let id = d["id"]?.stringValue ?? ""
        return (Readiness.builtinPosition[id] ?? Int.max, d["text"]?.stringValue ?? "", id)
    }
}
