import Model
import Storage

/// The printable prep sheet (`GET /v1/export` with `Accept: text/markdown`, `jobprepd export
/// --markdown`): the whole preparation in the guide's order.
struct PrepSheet {
    typealias Document = [String: JSONValue]

    /// Section headings, in order.
    static let sections = [
        "What matters to you", "Industries", "Ideal role", "Compensation", "Pitch", "Networking",
        "Questions and answers", "Stories", "Strengths and weaknesses", "Opportunities",
    ]

    private var data: [String: [Document]] = [:]

    /// Reads every live record (each document parsed once).
    init(_ session: ReadSession) throws {
        for collection in Catalog.all {
            var documents: [Document] = []
            try session.forEachDocument(collection) { body in
                if let object = try JSONParser.parse(body).objectValue { documents.append(object) }
            }
            data[collection.name] = documents
        }
    }

    init(documents: [String: [Document]]) {
        data = documents
    }

    private func all(_ collection: CollectionSpec) -> [Document] { data[collection.name] ?? [] }

    private func index(_ collection: CollectionSpec) -> [String: Document] {
        Dictionary(
            all(collection).compactMap { d in d["id"]?.stringValue.map { ($0, d) } }, uniquingKeysWith: { a, _ in a })
    }

    var markdown: String {
        var md = Markdown()
        let profile = all(Catalog.profile).first ?? [:]
        let name = profile["name"]?.stringValue
        md.heading(1, name.map { "Job search prep sheet: \($0)" } ?? "Job search prep sheet")
        var intro: [String] = []
        if let headline = profile["headline"]?.stringValue { intro.append(Markdown.inline(headline)) }
        if let years = profile["years_experience"]?.integerValue { intro.append("\(years) years of experience") }
        if !intro.isEmpty { md.block(intro.joined(separator: " · ")) }
        md.labelled("Where you are", profile["life_context"]?.stringValue)
        let leaving = profile["leaving_reason"]?.objectValue ?? [:]
        if leaving["theme"]?.hasText == true {
            md.labelled("Why you are leaving", leaving["theme"]?.stringValue)
            md.paragraph(leaving["explanation"]?.stringValue)
        } else {
            md.labelled("Why you are leaving", leaving["explanation"]?.stringValue)
        }

        valuesSection(&md)
        industriesSection(&md)

        md.heading(2, Self.sections[2])
        if profile["ideal_role"]?.hasText == true {
            md.paragraph(profile["ideal_role"]?.stringValue)
        } else {
            md.note("Not written yet.")
        }

        compensationSection(&md, profile)
        pitchSection(&md)
        networkingSection(&md)
        questionsSection(&md)

        md.heading(2, Self.sections[7])
        let stories = all(Catalog.stories).sorted(byKey: storyKey) { $0 > $1 }
        if stories.isEmpty { md.note("No stories yet.") }
        for story in stories { Briefing.story(story, into: &md) }

        traitsSection(&md)
        opportunitiesSection(&md)
        return md.text
    }

    // MARK: Sections

    private func valuesSection(_ md: inout Markdown) {
        md.heading(2, Self.sections[0])
        let values = all(Catalog.values).sorted(byKey: Briefing.rankKey) { $0 < $1 }
        if values.isEmpty { return md.note("No values yet.") }
        md.block(
            values.enumerated().map { index, value in
                var line = "\(index + 1). **" + Markdown.inline(value["name"]?.stringValue ?? "") + "**"
                if let why = value["why"]?.stringValue, !why.isBlank { line += " — " + Markdown.inline(why) }
                return line
            }.joined(separator: "\n"))
    }

    private func industriesSection(_ md: inout Markdown) {
        md.heading(2, Self.sections[1])
        let industries = all(Catalog.industries).sorted(byKey: Briefing.rankKey) { $0 < $1 }
        if industries.isEmpty { return md.note("No industries yet.") }
        for (stance, title) in [("target", "Target"), ("avoid", "Avoid")] {
            let group = industries.filter { $0["stance"]?.stringValue == stance }
            guard !group.isEmpty else { continue }
            md.heading(3, title)
            md.list(
                group.map { industry in
                    var line = "**" + Markdown.inline(industry["name"]?.stringValue ?? "") + "**"
                    if let reason = industry["reason"]?.stringValue, !reason.isBlank {
                        line += " — " + Markdown.inline(reason)
                    }
                    return line
                })
        }
    }

    private func compensationSection(_ md: inout Markdown, _ profile: Document) {
        md.heading(2, Self.sections[3])
        let compensation = profile["compensation"]?.objectValue ?? [:]
        let currency = compensation["currency"]?.stringValue ?? ""
        var targets: [String] = []
        for (key, label) in [
            ("base_minimum", "Base minimum"), ("base_target", "Base target"), ("total_target", "Total target"),
        ] {
            if let amount = compensation[key]?.integerValue {
                targets.append(
                    "**\(label):** " + Self.money(amount) + (currency.isEmpty ? "" : " " + Markdown.inline(currency)))
            }
        }
        if targets.isEmpty { md.note("No targets set yet.") } else { md.list(targets) }
        md.labelled("How you got there", compensation["notes"]?.stringValue)
        let research = all(Catalog.compensationResearch).sorted(byKey: { Self.textKey($0, "role") }) { $0 < $1 }
        if !research.isEmpty {
            md.heading(3, "Research")
            md.table(
                ["Role", "Where", "Industry", "Low", "Median", "High", "Source", "Seen"],
                research.map { r in
                    let unit = r["currency"]?.stringValue.map { " " + Markdown.inline($0) } ?? ""
                    func amount(_ key: String) -> String { r[key]?.integerValue.map { Self.money($0) + unit } ?? "" }
                    return [
                        Markdown.inline(r["role"]?.stringValue ?? ""),
                        Markdown.inline(r["location"]?.stringValue ?? ""),
                        Markdown.inline(r["industry"]?.stringValue ?? ""), amount("low"), amount("median"),
                        amount("high"),
                        Markdown.inline(r["source"]?.stringValue ?? ""),
                        Markdown.inline(r["observed_on"]?.stringValue ?? ""),
                    ]
                })
        }
    }

    private func pitchSection(_ md: inout Markdown) {
        md.heading(2, Self.sections[4])
        let companies = index(Catalog.companies)
        let opportunities = index(Catalog.opportunities)
        let pitches = all(Catalog.pitches).sorted(byKey: pitchKey) { $0 < $1 }
        if pitches.isEmpty { return md.note("No pitch yet.") }
        for pitch in pitches {
            var title = pitch["title"]?.stringValue ?? ""
            if let o = pitch["opportunity_id"]?.stringValue.flatMap({ opportunities[$0] }) {
                title += " (for \(o["title"]?.stringValue ?? "an opportunity"))"
            } else if let c = pitch["company_id"]?.stringValue.flatMap({ companies[$0] }) {
                title += " (for \(c["name"]?.stringValue ?? "a company"))"
            }
            md.heading(3, title)
            md.labelled("Who you are", pitch["who"]?.stringValue)
            md.labelled("What you did recently", pitch["recent"]?.stringValue)
            md.labelled("Why it matters", pitch["value"]?.stringValue)
            md.labelled("Notes", pitch["notes"]?.stringValue)
        }
    }

    private func networkingSection(_ md: inout Markdown) {
        md.heading(2, Self.sections[5])
        let companies = index(Catalog.companies)
        let contacts = all(Catalog.contacts).sorted(byKey: { Self.textKey($0, "name") }) { $0 < $1 }
        if contacts.isEmpty { md.note("No contacts yet.") }
        md.list(
            contacts.map { contact in
                var line = "**" + Markdown.inline(contact["name"]?.stringValue ?? "") + "**"
                var about: [String] = []
                if let relationship = contact["relationship"]?.stringValue {
                    about.append(Markdown.inline(relationship))
                }
                if let company = contact["company_id"]?.stringValue.flatMap({ companies[$0] }) {
                    about.append(Markdown.inline(company["name"]?.stringValue ?? ""))
                }
                if !about.isEmpty { line += " (" + about.joined(separator: ", ") + ")" }
                let reach = [contact["email"], contact["phone"]].compactMap { $0?.stringValue }.map(Markdown.inline)
                if !reach.isEmpty { line += " — " + reach.joined(separator: ", ") }
                if let next = contact["next_follow_up_on"]?.stringValue {
                    line += "; follow up " + Markdown.inline(next)
                }
                return line
            })
        let boards = all(Catalog.jobBoards).sorted(byKey: { Self.textKey($0, "name") }) { $0 < $1 }
        if !boards.isEmpty {
            md.heading(3, "Job boards")
            md.list(
                boards.map { board in
                    var line = "**" + Markdown.inline(board["name"]?.stringValue ?? "") + "**"
                    if let url = board["url"]?.stringValue { line += " " + Markdown.link(url) }
                    if let posted = board["resume_posted_on"]?.stringValue {
                        line += "; resume posted " + Markdown.inline(posted)
                    }
                    return line
                })
        }
    }

    private func questionsSection(_ md: inout Markdown) {
        md.heading(2, Self.sections[6])
        let stories = index(Catalog.stories)
        let opportunities = index(Catalog.opportunities)
        var answers: [String: [Document]] = [:]
        for answer in all(Catalog.answers) {
            if let question = answer["question_id"]?.stringValue { answers[question, default: []].append(answer) }
        }
        let questions = all(Catalog.questions).sorted(byKey: Briefing.questionKey) { $0 < $1 }
        for question in questions {
            let id = question["id"]?.stringValue ?? ""
            md.heading(3, question["text"]?.stringValue ?? "")
            if let guidance = question["guidance"]?.stringValue, !guidance.isBlank {
                md.block("_Guidance:_ " + Markdown.inline(guidance))
            }
            let mine = (answers[id] ?? []).sorted(byKey: { Self.textKey($0, "opportunity_id") }) { $0 < $1 }
            if mine.allSatisfy({ !($0["body"]?.hasText ?? false) }) { md.note("Not answered yet.") }
            for answer in mine where answer["body"]?.hasText ?? false {
                if let o = answer["opportunity_id"]?.stringValue {
                    let title = opportunities[o]?["title"]?.stringValue ?? o
                    md.block("**For " + Markdown.inline(title) + ":**")
                }
                md.paragraph(answer["body"]?.stringValue)
                let titles = (answer["story_ids"]?.arrayValue ?? []).compactMap {
                    $0.stringValue.flatMap { stories[$0] }?["title"]?.stringValue
                }
                if !titles.isEmpty { md.block("Stories: " + titles.map(Markdown.inline).joined(separator: ", ")) }
            }
        }
    }

    private func traitsSection(_ md: inout Markdown) {
        md.heading(2, Self.sections[8])
        let traits = all(Catalog.traits).sorted(byKey: { Self.textKey($0, "text") }) { $0 < $1 }
        for (kind, title, detail, label) in [
            ("strength", "Strengths", "evidence", "Evidence"), ("weakness", "Weaknesses", "mitigation", "Plan"),
        ] {
            md.heading(3, title)
            let group = traits.filter { $0["kind"]?.stringValue == kind }
            if group.isEmpty { md.note("None yet.") }
            md.list(
                group.map { trait in
                    var line = "**" + Markdown.inline(trait["text"]?.stringValue ?? "") + "**"
                    if let text = trait[detail]?.stringValue, !text.isBlank {
                        line += " — \(label): " + Markdown.inline(text)
                    }
                    return line
                })
        }
    }

    private func opportunitiesSection(_ md: inout Markdown) {
        md.heading(2, Self.sections[9])
        let companies = index(Catalog.companies)
        let contacts = index(Catalog.contacts)
        // Escaped once, not once per opportunity.
        let values = all(Catalog.values).sorted(byKey: Briefing.rankKey) { $0 < $1 }.map {
            (id: $0["id"]?.stringValue ?? "", name: Markdown.inline($0["name"]?.stringValue ?? ""))
        }
        var assessments: [String: [String: Document]] = [:]  // company → value → latest assessment
        for a in all(Catalog.valueAssessments) {
            guard let c = a["company_id"]?.stringValue, let v = a["value_id"]?.stringValue else { continue }
            if let current = assessments[c]?[v], Briefing.assessmentKey(current) >= Briefing.assessmentKey(a) {
                continue
            }
            assessments[c, default: [:]][v] = a
        }
        let statusOrder = Dictionary(
            Catalog.opportunityStatuses.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let opportunities = all(Catalog.opportunities).sorted(byKey: {
            (
                statusOrder[$0["status"]?.stringValue ?? ""] ?? 99, $0["title"]?.stringValue ?? "",
                $0["id"]?.stringValue ?? ""
            )
        }) { $0 < $1 }
        if opportunities.isEmpty { return md.note("No opportunities yet.") }
        for opportunity in opportunities {
            let company = opportunity["company_id"]?.stringValue.flatMap { companies[$0] }
            let title =
                (opportunity["title"]?.stringValue ?? "")
                + (company.map { " at " + ($0["name"]?.stringValue ?? "") } ?? "")
            md.heading(3, title)
            var facts = ["**Status:** " + Markdown.inline(opportunity["status"]?.stringValue ?? "")]
            if let applied = opportunity["applied_on"]?.stringValue {
                facts.append("**Applied:** " + Markdown.inline(applied))
            }
            if let referral = opportunity["referred_by"]?.stringValue.flatMap({ contacts[$0] }) {
                facts.append("**Referred by:** " + Markdown.inline(referral["name"]?.stringValue ?? ""))
            }
            if let url = opportunity["url"]?.stringValue { facts.append("**Posting:** " + Markdown.link(url)) }
            md.list(facts)
            guard let companyID = company?["id"]?.stringValue, !values.isEmpty else { continue }
            let assessed = assessments[companyID] ?? [:]
            md.table(
                ["Value", "Fit", "Evidence"],
                values.map { value in
                    let a = assessed[value.id]
                    return [
                        value.name, Markdown.inline(a?["verdict"]?.stringValue ?? "not assessed"),
                        Markdown.inline(a?["evidence"]?.stringValue ?? ""),
                    ]
                })
        }
    }

    // MARK: Helpers

    /// A text field, then the id.
    private static func textKey(_ d: Document, _ field: String) -> (String, String) {
        (d[field]?.stringValue ?? "", d["id"]?.stringValue ?? "")
    }

    /// General pitches first, then tailored ones; each group by title.
    private func pitchKey(_ p: Document) -> (Int, String, String) {
        let tailored = !(p["company_id"] ?? .null).isNull || !(p["opportunity_id"] ?? .null).isNull
        return (tailored ? 1 : 0, p["title"]?.stringValue ?? "", p["id"]?.stringValue ?? "")
    }

    /// Most recent first: by end date (ongoing first), then title.
    private func storyKey(_ s: Document) -> (String, String, String) {
        (s["ended_on"]?.stringValue ?? "9999", s["started_on"]?.stringValue ?? "", s["id"]?.stringValue ?? "")
    }

    /// 95000 → "95,000".
    static func money(_ amount: Int64) -> String {
        let digits = Array(String(amount.magnitude))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return (amount < 0 ? "-" : "") + out
    }
}
