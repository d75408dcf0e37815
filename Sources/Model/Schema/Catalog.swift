/// The JobPrep dataset: every collection, described once.
///
/// Changing a field here changes the API, the storage and the sync protocol together, and changes
/// ``Catalog/fingerprint`` so that replicas on different schemas refuse to merge.
public enum Catalog {
    public static let name = FieldType.line(maxLength: 200)
    public static let shortText = FieldType.line(maxLength: 500)
    public static let longText = FieldType.text(maxLength: 50_000)
    public static let rank = FieldType.integer(min: 0, max: 1_000_000)
    public static let money = FieldType.integer(min: 0, max: 1_000_000_000_000)

    public static let profile = CollectionSpec(
        "profile", singleton: true, "Who you are and what you are looking for.",
        fields: [
            FieldSpec("name", name, searchWeight: 3, "Your name."),
            FieldSpec("headline", shortText, searchWeight: 2, "One line: who you are professionally."),
            FieldSpec("years_experience", .integer(min: 0, max: 80), "Years of professional experience."),
            FieldSpec("life_context", longText, "Where you are in life and what that asks of the next role."),
            FieldSpec("ideal_role", longText, "Your rehearsed answer to \"describe your ideal role\"."),
            FieldSpec(
                "compensation",
                .object([
                    FieldSpec("currency", .currency, "ISO 4217 code of the amounts below."),
                    FieldSpec("base_minimum", money, "The lowest base salary you would accept."),
                    FieldSpec("base_target", money, "The base salary you aim for."),
                    FieldSpec("total_target", money, "The total compensation you aim for."),
                    FieldSpec("notes", longText, "How you arrived at these numbers."),
                ]), "What you need and what you aim for."),
            FieldSpec(
                "leaving_reason",
                .object([
                    FieldSpec("theme", shortText, searchWeight: 2, "The one-line theme of why you are leaving."),
                    FieldSpec("explanation", longText, "The explanation you give, positive and forward-looking."),
                ]), "Why you are leaving your current role."),
        ])

    public static let values = CollectionSpec(
        "values", "What matters to you in work, ranked.",
        fields: [
            FieldSpec("name", name, required: true, searchWeight: 3, "The value, in a few words."),
            FieldSpec("why", longText, "What it means to you and why it matters."),
            FieldSpec("rank", rank, "1 = most important."),
        ])

    public static let industries = CollectionSpec(
        "industries", "Industries you target or avoid.",
        fields: [
            FieldSpec("name", name, required: true, searchWeight: 3, "The industry."),
            FieldSpec("stance", .enumeration(["target", "avoid"]), required: true, "Whether you target or avoid it."),
            FieldSpec("reason", longText, "Why."),
            FieldSpec("rank", rank, "1 = most wanted."),
        ])

    public static let compensationResearch = CollectionSpec(
        "compensation-research", "Market data points for roles like the one you want.",
        fields: [
            FieldSpec("role", name, required: true, searchWeight: 3, "The role the figures are for."),
            FieldSpec("location", name, "Where."),
            FieldSpec("industry", name, "Which industry."),
            FieldSpec("low", money, "Low end of the range."),
            FieldSpec("median", money, "Median."),
            FieldSpec("high", money, "High end of the range."),
            FieldSpec("currency", .currency, "ISO 4217 code of the amounts."),
            FieldSpec("source", shortText, "Where the figures come from."),
            FieldSpec("observed_on", .date, "When you found them."),
        ])

    public static let pitches = CollectionSpec(
        "pitches", "Elevator pitches: who you are, what you did recently, and its business value.",
        fields: [
            FieldSpec("title", name, required: true, searchWeight: 3, "A name for this pitch."),
            FieldSpec("who", longText, "Who you are and what is special about you."),
            FieldSpec("recent", longText, "What you did recently."),
            FieldSpec("value", longText, "Its business value."),
            FieldSpec("company_id", .reference("companies"), "Tailored to this company; null for a general pitch."),
            FieldSpec(
                "opportunity_id", .reference("opportunities"),
                "Tailored to this opportunity; null for a general pitch."),
            FieldSpec("notes", longText, "Notes."),
        ])

    public static let companies = CollectionSpec(
        "companies", "Employers you are considering.",
        fields: [
            FieldSpec("name", name, required: true, searchWeight: 3, "The company."),
            FieldSpec("industry", name, "Its industry."),
            FieldSpec("website", .url, "Its website."),
            FieldSpec("mission", longText, "Its mission, in its words or yours."),
            FieldSpec("notes", longText, "Notes."),
        ])

    public static let valueAssessments = CollectionSpec(
        "value-assessments", "How a company fits one of your values.",
        fields: [
            FieldSpec("company_id", .reference("companies"), required: true, "The company assessed."),
            FieldSpec("value_id", .reference("values"), required: true, "The value it is assessed against."),
            FieldSpec(
                "verdict", .enumeration(["shares", "partly", "conflicts", "unknown"]), default: .string("unknown"),
                "Whether the company shares the value."),
            FieldSpec("evidence", longText, "What you saw or heard that supports the verdict."),
            FieldSpec("observed_on", .date, "When."),
        ])

    public static let contacts = CollectionSpec(
        "contacts", "People in your network.",
        fields: [
            FieldSpec("name", name, required: true, searchWeight: 3, "Their name."),
            FieldSpec(
                "relationship", .enumeration(["colleague", "recruiter", "manager", "friend", "other"]),
                "How you know them."),
            FieldSpec("company_id", .reference("companies"), "Where they work."),
            FieldSpec("email", .email, "Email address."),
            FieldSpec("phone", .line(maxLength: 50), "Phone number."),
            FieldSpec("url", .url, "A profile page."),
            FieldSpec("notes", longText, "Notes."),
            FieldSpec("last_contacted_on", .date, "When you last spoke."),
            FieldSpec("next_follow_up_on", .date, "When to follow up next."),
        ])

    public static let opportunityStatuses = [
        "prospect", "applied", "screening", "interviewing", "offer", "accepted", "rejected", "withdrawn",
    ]
    /// Statuses of an opportunity that is still in play.
    public static let activeOpportunityStatuses: Set<String> = [
        "prospect", "applied", "screening", "interviewing", "offer",
    ]

    public static let opportunities = CollectionSpec(
        "opportunities", "Roles you are pursuing.",
        fields: [
            FieldSpec("company_id", .reference("companies"), "The employer."),
            FieldSpec("title", name, required: true, searchWeight: 3, "The role's title."),
            FieldSpec("url", .url, "The posting."),
            FieldSpec(
                "source", .enumeration(["job_board", "referral", "recruiter", "network", "other"]),
                "How you found it."),
            FieldSpec("referred_by", .reference("contacts"), "The contact who referred you."),
            FieldSpec(
                "status", .enumeration(opportunityStatuses), default: .string("prospect"), "Where it stands."),
            FieldSpec("applied_on", .date, "When you applied."),
            FieldSpec("compensation_offered", money, "The offer, if any."),
            FieldSpec("pitch_id", .reference("pitches"), "The pitch you use for it."),
            FieldSpec("notes", longText, "Notes."),
        ])

    public static let activities = CollectionSpec(
        "activities", "Calls, emails, meetings, interviews and follow-ups.",
        fields: [
            FieldSpec("opportunity_id", .reference("opportunities"), "The opportunity it belongs to."),
            FieldSpec("contact_id", .reference("contacts"), "Who it is with."),
            FieldSpec(
                "kind", .enumeration(["call", "email", "meeting", "interview", "follow_up", "other"]),
                required: true, "What kind of activity."),
            FieldSpec("scheduled_at", .dateTime, "When it is planned."),
            FieldSpec("done_at", .dateTime, "When it happened; null while open."),
            FieldSpec("notes", longText, "Notes."),
        ])

    public static let questionCategories = [
        "about_you", "current_work", "background", "why_leaving", "conflict", "strengths", "weaknesses",
        "colleagues_view", "leadership", "mistake", "accomplishment", "custom",
    ]

    public static let questions = CollectionSpec(
        "questions", "Interview questions to prepare.",
        fields: [
            FieldSpec("text", shortText, required: true, searchWeight: 3, "The question."),
            FieldSpec("category", .enumeration(questionCategories), required: true, "What kind of question."),
            FieldSpec("guidance", longText, "How to approach an answer."),
            FieldSpec(
                "builtin", .boolean, readOnly: true, default: .bool(false),
                "One of the common questions every dataset starts with."),
        ])

    public static let answers = CollectionSpec(
        "answers", "Your rehearsed answers.",
        fields: [
            FieldSpec("question_id", .reference("questions"), required: true, "The question answered."),
            FieldSpec("body", longText, searchWeight: 1, "The answer."),
            FieldSpec(
                "opportunity_id", .reference("opportunities"),
                "Tailored to this opportunity; null for a general answer."),
            FieldSpec("story_ids", .references("stories"), default: .array([]), "Stories the answer tells."),
            FieldSpec("last_rehearsed_on", .date, "When you last rehearsed it."),
            FieldSpec("rehearsal_count", .integer(min: 0, max: 1_000_000), default: .int(0), "How often."),
        ])

    public static let stories = CollectionSpec(
        "stories", "Project stories you can tell at any depth.",
        fields: [
            FieldSpec("title", name, required: true, searchWeight: 3, "A name for the story."),
            FieldSpec(
                "kind", .enumeration(["project", "conflict", "mistake", "leadership", "accomplishment", "other"]),
                default: .string("project"), "What the story shows."),
            FieldSpec("use_case", longText, "The use case and its business value."),
            FieldSpec("design", longText, "How you designed it."),
            FieldSpec("challenges", longText, "What was hard."),
            FieldSpec("outcome", longText, "How it came together and what you learned."),
            FieldSpec("started_on", .date, "When it started."),
            FieldSpec("ended_on", .date, "When it ended."),
            FieldSpec("tags", .tags, default: .array([]), searchWeight: 2, "Labels."),
        ])

    public static let traits = CollectionSpec(
        "traits", "Your strengths and weaknesses.",
        fields: [
            FieldSpec("kind", .enumeration(["strength", "weakness"]), required: true, "Strength or weakness."),
            FieldSpec("text", shortText, required: true, searchWeight: 3, "The trait."),
            FieldSpec("evidence", longText, "For a strength: the evidence."),
            FieldSpec("mitigation", longText, "For a weakness: the plan to improve."),
        ])

    public static let jobBoards = CollectionSpec(
        "job-boards", "Job boards where your resume is posted.",
        fields: [
            FieldSpec("name", name, required: true, searchWeight: 3, "The board."),
            FieldSpec("url", .url, "Its address."),
            FieldSpec("resume_posted_on", .date, "When you posted your resume."),
            FieldSpec("notes", longText, "Notes."),
        ])

    /// Every collection, the profile singleton first, in the guide's order.
    public static let all: [CollectionSpec] = [
        profile, values, industries, compensationResearch, pitches, companies, valueAssessments, contacts,
        opportunities, activities, questions, answers, stories, traits, jobBoards,
    ]

    private static let byName: [String: CollectionSpec] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func collection(_ name: String) -> CollectionSpec? { byName[name] }

    /// The id of the profile singleton's record.
    public static let profileID = "profile"
}
