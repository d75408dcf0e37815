import Model
import Storage

/// One item of the readiness checklist.
struct ReadinessCheck: Sendable, Equatable {
    let id: String
    let title: String
    let passed: Bool
    /// What was found, naming the records that fail the check.
    let detail: String
    /// What to do to pass it.
    let hint: String
    /// The records that fail it.
    let records: [RecordRef]

    var json: JSONValue {
        [
            "id": .string(id), "title": .string(title), "passed": .bool(passed), "detail": .string(detail),
            "hint": .string(hint), "records": .array(records.map(\.json)),
        ]
    }
}

/// The guide's checklist, computed from the data (`GET /v1/readiness`).
struct ReadinessReport: Sendable {
    let checks: [ReadinessCheck]
    let asOf: String

    var passedCount: Int { checks.filter(\.passed).count }

    /// Passed checks out of all, 0–100, rounded.
    var score: Int { checks.isEmpty ? 100 : (passedCount * 200 + checks.count) / (2 * checks.count) }

    var json: JSONValue {
        [
            "score": .int(Int64(score)), "passed": .int(Int64(passedCount)), "total": .int(Int64(checks.count)),
            "as_of": .string(asOf), "checks": .array(checks.map(\.json)),
        ]
    }
}

/// What a check found, one note per failing record; only the first few are written out.
struct Notes {
    static let shown = 20
    private var items: [String] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func add(_ note: @autoclosure () -> String) {
        if count < Self.shown { items.append(note()) }
        count += 1
    }

    /// The notes joined with "; ", and how many more there are.
    var text: String {
        items.joined(separator: "; ") + (count > Self.shown ? "; and \(count - Self.shown) more" : "")
    }
}

/// The readiness rules: pure functions of the data and the date.
enum Readiness {
    static let minimumValues = 3
    static let minimumTargetIndustries = 3
    /// A story is recent when it ended within this many years.
    static let recentYears = 2

    static func evaluate(_ data: ViewData, clock: ViewClock) -> ReadinessReport {
        ReadinessReport(
            checks: [
                values(data), targetIndustries(data), idealRole(data), compensation(data), generalPitch(data),
                builtinAnswers(data), storyDetails(data), recentAccomplishment(data, clock), weaknessMitigations(data),
                valueFit(data), followUps(data, clock), references(data),
            ],
            asOf: clock.todayText)
    }

    // MARK: The checks

    static func values(_ data: ViewData) -> ReadinessCheck {
        let values = data["values"].sorted(by: rankOrder)
        let names = values.map { ViewData.label("values", $0) }
        let passed = values.count >= minimumValues
        return ReadinessCheck(
            id: "values", title: "At least three values", passed: passed,
            detail: counted(names, one: "value", many: "values", minimum: minimumValues),
            hint: "Write down at least three things that matter to you in work, say why each matters, and rank them.",
            records: [])
    }

    static func targetIndustries(_ data: ViewData) -> ReadinessCheck {
        let targets = data["industries"].filter { $0["stance"] == "target" }
        let passed = targets.count >= minimumTargetIndustries
        return ReadinessCheck(
            id: "target_industries", title: "At least three target industries", passed: passed,
            detail: counted(
                targets.map { ViewData.label("industries", $0) }, one: "target industry", many: "target industries",
                minimum: minimumTargetIndustries),
            hint: "Name at least three industries you target (stance target) and why; note the ones you avoid too.",
            records: [])
    }

    static func idealRole(_ data: ViewData) -> ReadinessCheck {
        let inProfile = data["profile"].first?["ideal_role"].hasText ?? false
        let idealQuestion = "builtin-ideal-role"
        let answer = data["answers"].first {
            $0["question_id"] == .string(idealQuestion) && $0["opportunity_id"].isNull && $0["body"].hasText
        }
        let detail: String
        if inProfile {
            detail = "Your ideal-role answer is in the profile."
        } else if answer != nil {
            detail = "You answered \"Describe your ideal role.\" (answer \(answer!.id))."
        } else {
            detail = "No ideal-role answer yet."
        }
        return ReadinessCheck(
            id: "ideal_role", title: "An ideal-role answer", passed: inProfile || answer != nil, detail: detail,
            hint: "Write your rehearsed answer to \"Describe your ideal role\" in the profile's ideal_role: the work, "
                + "the team and the impact you want.",
            records: [])
    }

    static func compensation(_ data: ViewData) -> ReadinessCheck {
        let profile = data["profile"].first
        var missing: [String] = []
        for (leaf, name) in [
            ("compensation.currency", "currency"), ("compensation.base_target", "base target"),
            ("compensation.total_target", "total target"),
        ] where (profile?[leaf] ?? .null).isNull {
            missing.append(name)
        }
        let research = data["compensation-research"].count
        var problems: [String] = []
        if !missing.isEmpty { problems.append("the profile's compensation lacks \(list(missing))") }
        if research == 0 { problems.append("there is no compensation research yet") }
        return ReadinessCheck(
            id: "compensation", title: "Compensation targets and research", passed: problems.isEmpty,
            detail: problems.isEmpty
                ? "Targets set; \(research) research point\(research == 1 ? "" : "s")."
                : capitalized(problems.joined(separator: "; ")) + ".",
            hint: "Set compensation.currency, base_target and total_target in the profile, and record at least one "
                + "market data point in compensation-research.",
            records: [])
    }

    static func generalPitch(_ data: ViewData) -> ReadinessCheck {
        let general = data["pitches"].filter { $0["company_id"].isNull && $0["opportunity_id"].isNull }
        let parts = [("who", "who you are"), ("recent", "what you did recently"), ("value", "its business value")]
        let complete = general.first { pitch in parts.allSatisfy { pitch[$0.0].hasText } }
        var incomplete: [RecordRef] = []
        var notes = Notes()
        if complete == nil {
            for pitch in general {
                let lacking = parts.filter { !pitch[$0.0].hasText }.map(\.1)
                incomplete.append(data.ref("pitches", pitch))
                notes.add("\"\(ViewData.label("pitches", pitch))\" lacks \(list(lacking))")
            }
        }
        let detail: String
        if let complete {
            detail = "\"\(ViewData.label("pitches", complete))\" has all three parts."
        } else if general.isEmpty {
            detail = "No general pitch yet (one with no company_id and no opportunity_id)."
        } else {
            detail = capitalized(notes.text) + "."
        }
        return ReadinessCheck(
            id: "general_pitch", title: "A general pitch with all three parts", passed: complete != nil,
            detail: detail,
            hint: "Write a general pitch (no company or opportunity) with who you are, what you did recently, "
                + "and its business value.",
            records: incomplete)
    }

    static func builtinAnswers(_ data: ViewData) -> ReadinessCheck {
        let builtin = data["questions"].filter { $0["builtin"] == .bool(true) }
        var answered = Set<String>()
        for answer in data["answers"] where answer["opportunity_id"].isNull && answer["body"].hasText {
            if let question = answer["question_id"].stringValue { answered.insert(question) }
        }
        let missing = builtin.filter { !answered.contains($0.id) }.sorted(by: builtinOrder)
        return ReadinessCheck(
            id: "builtin_answers", title: "Every built-in question answered", passed: missing.isEmpty,
            detail: missing.isEmpty
                ? "All \(builtin.count) built-in questions have a general answer."
                : "\(missing.count) of \(builtin.count) built-in questions have no answer: "
                    + list(missing.map { ViewData.label("questions", $0) }, quoted: true),
            hint: "Write a general answer (no opportunity_id) to each built-in question; the question's guidance "
                + "says how.",
            records: missing.map { data.ref("questions", $0) })
    }

    static func storyDetails(_ data: ViewData) -> ReadinessCheck {
        let stories = data["stories"]
        let parts = [
            ("use_case", "use case"), ("design", "design"), ("challenges", "challenges"), ("outcome", "outcome"),
        ]
        var failing: [RecordRef] = []
        var notes = Notes()
        for story in stories {
            let lacking = parts.filter { !story[$0.0].hasText }.map(\.1)
            guard !lacking.isEmpty else { continue }
            failing.append(data.ref("stories", story))
            notes.add("\"\(ViewData.label("stories", story))\" lacks \(list(lacking))")
        }
        let detail: String
        if stories.isEmpty {
            detail = "No stories yet."
        } else if failing.isEmpty {
            detail = "All \(stories.count) stories have a use case, design, challenges and outcome."
        } else {
            detail = "\(failing.count) of \(stories.count) stories are incomplete: " + notes.text + "."
        }
        return ReadinessCheck(
            id: "story_details", title: "Every story told in full", passed: !stories.isEmpty && failing.isEmpty,
            detail: detail,
            hint: "For each project story write the use case and its business value, your design, the challenges, "
                + "and how it came together; you should be able to tell it at any depth.",
            records: failing)
    }

    static func recentAccomplishment(_ data: ViewData, _ clock: ViewClock) -> ReadinessCheck {
        let (y, m, d) = CalendarDate.civil(days: clock.today)
        let since = CalendarDate.days(
            year: y - recentYears, month: m, day: min(d, CalendarDate.daysInMonth(year: y - recentYears, month: m)))
        let accomplishmentQuestions = Set(
            data["questions"].filter { $0["category"] == "accomplishment" }.map(\.id))
        var used = Set<String>()
        for answer in data["answers"] {
            guard let question = answer["question_id"].stringValue, accomplishmentQuestions.contains(question) else {
                continue
            }
            for id in answer["story_ids"].arrayValue ?? [] { if let id = id.stringValue { used.insert(id) } }
        }
        let candidates = data["stories"].filter { $0["kind"] == "accomplishment" || used.contains($0.id) }
        let recent = candidates.filter { story in
            story["ended_on"].stringValue.flatMap(CalendarDate.parseDate).map { $0 >= since } ?? false
        }
        let sinceText = CalendarDate.formatDate(days: since)
        let detail: String
        if let story = recent.first {
            detail = "\"\(ViewData.label("stories", story))\" ended on \(story["ended_on"].stringValue!)."
        } else if candidates.isEmpty {
            detail = "No accomplishment story yet (kind accomplishment, or used by an accomplishment answer)."
        } else {
            detail =
                "No accomplishment story ended since \(sinceText): "
                + candidates.map { story in
                    let ended = story["ended_on"].stringValue.map { "ended \($0)" } ?? "no end date"
                    return "\"\(ViewData.label("stories", story))\" (\(ended))"
                }.joined(separator: ", ") + "."
        }
        return ReadinessCheck(
            id: "recent_accomplishment", title: "A recent story for \"greatest accomplishment\"",
            passed: !recent.isEmpty,
            detail: detail,
            hint: "Keep a story that ended within the last two years (ended_on on or after \(sinceText)) of kind "
                + "accomplishment, or link it to your answer to \"What is your greatest career accomplishment?\".",
            records: recent.isEmpty ? candidates.map { data.ref("stories", $0) } : [])
    }

    static func weaknessMitigations(_ data: ViewData) -> ReadinessCheck {
        let weaknesses = data["traits"].filter { $0["kind"] == "weakness" }
        let failing = weaknesses.filter { !$0["mitigation"].hasText }
        let detail: String
        if weaknesses.isEmpty {
            detail = "No weaknesses yet."
        } else if failing.isEmpty {
            detail = "All \(weaknesses.count) weaknesses have a mitigation."
        } else {
            detail =
                "\(failing.count) of \(weaknesses.count) weaknesses have no mitigation: "
                + list(failing.map { ViewData.label("traits", $0) }, quoted: true)
        }
        return ReadinessCheck(
            id: "weakness_mitigations", title: "Every weakness has a mitigation",
            passed: !weaknesses.isEmpty && failing.isEmpty, detail: detail,
            hint: "Name at least one real weakness, and for each write the concrete plan you follow to improve it.",
            records: failing.map { data.ref("traits", $0) })
    }

    static func valueFit(_ data: ViewData) -> ReadinessCheck {
        let values = data["values"].sorted(by: rankOrder)
        let active = data["opportunities"].filter {
            $0["status"].stringValue.map(Catalog.activeOpportunityStatuses.contains) ?? false
        }
        let companies = data.index("companies")
        var assessed: [String: Set<String>] = [:]  // company → values it is assessed against
        for assessment in data["value-assessments"] where assessment["verdict"] != "unknown" {
            if let company = assessment["company_id"].stringValue, let value = assessment["value_id"].stringValue {
                assessed[company, default: []].insert(value)
            }
        }
        var failing: [RecordRef] = []
        var notes = Notes()
        for opportunity in active {
            let label = ViewData.label("opportunities", opportunity)
            guard let companyID = opportunity["company_id"].stringValue else {
                failing.append(data.ref("opportunities", opportunity))
                notes.add("\"\(label)\" has no company")
                continue
            }
            guard let company = companies[companyID] else {
                failing.append(data.ref("opportunities", opportunity))
                notes.add("\"\(label)\" names a company that no longer exists (\(companyID))")
                continue
            }
            let companyAssessed = assessed[companyID] ?? []
            let missing = values.filter { !companyAssessed.contains($0.id) }
            guard !missing.isEmpty else { continue }
            let companyName = ViewData.label("companies", company)
            failing.append(data.ref("opportunities", opportunity, label: "\(label) at \(companyName)"))
            notes.add(
                "\(companyName) (\"\(label)\") is not assessed against "
                    + list(missing.map { ViewData.label("values", $0) }))
        }
        let detail: String
        if active.isEmpty {
            detail = "No active opportunities yet."
        } else if values.isEmpty {
            detail = "No values to assess companies against yet."
        } else if failing.isEmpty {
            detail =
                "The companies of all \(active.count) active opportunities are assessed against all "
                + "\(values.count) values."
        } else {
            detail = capitalized(notes.text) + "."
        }
        return ReadinessCheck(
            id: "value_fit", title: "Every active opportunity's company assessed against every value",
            passed: !active.isEmpty && !values.isEmpty && failing.isEmpty, detail: detail,
            hint: "For each active opportunity, record a value assessment of its company against each of your "
                + "values (verdict shares, partly or conflicts, with evidence).",
            records: failing)
    }

    static func followUps(_ data: ViewData, _ clock: ViewClock) -> ReadinessCheck {
        var overdue: [RecordRef] = []
        var notes = Notes()
        for contact in data["contacts"] {
            guard let due = contact["next_follow_up_on"].stringValue, let day = CalendarDate.parseDate(due),
                day < clock.today
            else { continue }
            let name = ViewData.label("contacts", contact)
            overdue.append(data.ref("contacts", contact))
            notes.add("follow up with \(name) (due \(due))")
        }
        let opportunities = data.index("opportunities")
        let contacts = data.index("contacts")
        for activity in data["activities"] where activity["kind"] == "follow_up" && activity["done_at"].isNull {
            guard let at = activity["scheduled_at"].stringValue, let millis = CalendarDate.parseDateTime(at),
                millis < clock.millis
            else { continue }
            var about: [String] = []
            if let contact = activity["contact_id"].stringValue.flatMap({ contacts[$0] }) {
                about.append("with \(ViewData.label("contacts", contact))")
            }
            if let opportunity = activity["opportunity_id"].stringValue.flatMap({ opportunities[$0] }) {
                about.append("for \"\(ViewData.label("opportunities", opportunity))\"")
            }
            let label = (["follow-up"] + about).joined(separator: " ")
            overdue.append(data.ref("activities", activity, label: "\(label) (scheduled \(at))"))
            notes.add("\(label) (scheduled \(at))")
        }
        return ReadinessCheck(
            id: "follow_ups", title: "No overdue follow-ups", passed: overdue.isEmpty,
            detail: overdue.isEmpty
                ? "Nothing is overdue."
                : "\(overdue.count) overdue: " + notes.text + ".",
            hint: "Follow up, then move the contact's next_follow_up_on forward or set the activity's done_at.",
            records: overdue)
    }

    /// Not in the guide, but DESIGN.md asks reports to say so: references left dangling by deletes.
    static func references(_ data: ViewData) -> ReadinessCheck {
        var live: [String: Set<String>] = [:]
        func isLive(_ collection: String, _ id: String) -> Bool {
            if live[collection] == nil {
                live[collection] = Set(data.records[collection]?.map(\.id) ?? [])
            }
            return live[collection]!.contains(id)
        }
        var failing: [RecordRef] = []
        var notes = Notes()
        for collection in Catalog.all {
            let leaves = collection.referenceLeaves
            guard !leaves.isEmpty else { continue }
            for record in data[collection.name] {
                var dangling: [String] = []
                for leaf in leaves {
                    guard let target = leaf.type.referencedCollection else { continue }
                    let ids: [String]
                    switch record[leaf.name] {
                    case .string(let id): ids = [id]
                    case .array(let items): ids = items.compactMap(\.stringValue)
                    default: ids = []
                    }
                    for id in ids where !isLive(target, id) { dangling.append("\(leaf.name) → \(target)/\(id)") }
                }
                guard !dangling.isEmpty else { continue }
                failing.append(data.ref(collection.name, record))
                notes.add("\(collection.name)/\(record.id): \(dangling.joined(separator: ", "))")
            }
        }
        return ReadinessCheck(
            id: "references", title: "No references to deleted records", passed: failing.isEmpty,
            detail: failing.isEmpty
                ? "Every reference points at a live record."
                : "\(failing.count) record\(failing.count == 1 ? "" : "s") point at deleted records: "
                    + notes.text + ".",
            hint: "Point these fields at a live record, or clear them (a delete, here or on another device, left "
                + "them dangling).",
            records: failing)
    }

    // MARK: Helpers

    /// Built-in questions in the order the product lists them.
    static func builtinOrder(_ a: ProjectedRecord, _ b: ProjectedRecord) -> Bool {
        (builtinPosition[a.id] ?? Int.max, a.id) < (builtinPosition[b.id] ?? Int.max, b.id)
    }

    static let builtinPosition: [String: Int] = Dictionary(
        Catalog.builtinQuestions.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })

    /// By rank (unranked last), then id.
    static func rankOrder(_ a: ProjectedRecord, _ b: ProjectedRecord) -> Bool {
        (a["rank"].integerValue ?? Int64.max, a.id) < (b["rank"].integerValue ?? Int64.max, b.id)
    }

    static func list(_ items: [String], quoted: Bool = false) -> String {
        let shown = items.prefix(20).map { quoted ? "\"\($0)\"" : $0 }
        let more = items.count > 20 ? " and \(items.count - 20) more" : ""
        return shown.joined(separator: ", ") + more
    }

    /// "2 values of at least 3: A, B." / "3 values: A, B, C." / "No values yet."
    static func counted(_ names: [String], one: String, many: String, minimum: Int) -> String {
        if names.isEmpty { return "No \(many) yet." }
        let shortfall = names.count < minimum ? " of at least \(minimum)" : ""
        return "\(names.count) \(names.count == 1 ? one : many)\(shortfall): \(list(names))."
    }

    static func capitalized(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }
}
