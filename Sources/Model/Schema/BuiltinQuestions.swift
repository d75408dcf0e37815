/// The common interview questions every dataset starts with, each with guidance on how to
/// prepare an answer.
///
/// Their ids are fixed and their cells carry a fixed clock (see `Storage`), so every replica
/// seeds the very same records and sync sees duplicates, never conflicts.
public struct BuiltinQuestion: Sendable {
    public let id: String
    public let category: String
    public let text: String
    public let guidance: String
}

extension Catalog {
    public static let builtinQuestions: [BuiltinQuestion] = [
        BuiltinQuestion(
            id: "builtin-tell-me-about-yourself", category: "about_you", text: "Tell me about yourself.",
            guidance: """
                Two minutes, not your life story. Open with who you are professionally, give one or two \
                recent results that show what you do best, and end with why this role is the natural next \
                step. Rehearse it until it sounds like a conversation, not a recital.
                """),
        BuiltinQuestion(
            id: "builtin-current-work", category: "current_work", text: "What are you working on now?",
            guidance: """
                Pick one current project you can explain at any depth. Say what problem it solves for the \
                business, what your part is, and what is hard about it. Be ready to go two levels deeper on \
                the design when asked.
                """),
        BuiltinQuestion(
            id: "builtin-background", category: "background", text: "Tell me about your background.",
            guidance: """
                Walk through your path as a story with a direction: each move should explain the next. Keep \
                early roles short and spend the time on the experience that matters most for this job.
                """),
        BuiltinQuestion(
            id: "builtin-why-leaving", category: "why_leaving", text: "Why are you leaving your current job?",
            guidance: """
                Answer with what you are moving toward, not what you are running from. Name one honest theme \
                (growth, scope, a kind of work, life circumstances) and never criticise your employer or \
                colleagues.
                """),
        BuiltinQuestion(
            id: "builtin-conflict", category: "conflict",
            text: "Tell me about a challenge or conflict you faced at work and how you handled it.",
            guidance: """
                Choose a real disagreement with a constructive ending. Describe the situation briefly, what \
                each side wanted, what you did to understand the other view, how it was resolved, and what \
                you would do the same way next time.
                """),
        BuiltinQuestion(
            id: "builtin-strengths", category: "strengths", text: "What are your greatest strengths?",
            guidance: """
                Name two or three strengths that matter for this role and back each with a specific example \
                and its result. Evidence convinces; adjectives do not.
                """),
        BuiltinQuestion(
            id: "builtin-weaknesses", category: "weaknesses", text: "What are your greatest weaknesses?",
            guidance: """
                Name a real weakness that is not central to the role, show that you know how it affects your \
                work, and describe the concrete steps you are taking to improve and the progress so far.
                """),
        BuiltinQuestion(
            id: "builtin-colleagues-view", category: "colleagues_view",
            text: "What would your former colleagues say about you?",
            guidance: """
                Quote what people have actually said, in reviews, feedback or thank-you notes. Pick remarks \
                that fit the role, and include one honest area they would say you are working on.
                """),
        BuiltinQuestion(
            id: "builtin-leadership", category: "leadership",
            text: "Tell me about a time you led a team or took initiative.",
            guidance: """
                Leadership does not need a title. Describe a moment you saw something that needed doing, \
                brought others along, and delivered. Make clear what you did yourself and what changed \
                because of it.
                """),
        BuiltinQuestion(
            id: "builtin-mistake", category: "mistake", text: "Tell me about a time you made a mistake.",
            guidance: """
                Own a real mistake without excuses, explain how you noticed it and limited the damage, and \
                spend most of the answer on what you learned and what you now do differently.
                """),
        BuiltinQuestion(
            id: "builtin-accomplishment", category: "accomplishment",
            text: "What is your greatest career accomplishment?",
            guidance: """
                Pick a recent accomplishment, ideally from the last two years, with a result you can measure. \
                Tell it as a project story: the use case and its value, your design, the challenges, and how \
                it came together.
                """),
        BuiltinQuestion(
            id: "builtin-ideal-role", category: "about_you", text: "Describe your ideal role.",
            guidance: """
                Describe the work, the team and the impact you want, in terms that overlap with this role. \
                Show that you have thought about what motivates you and that this position fits it.
                """),
    ]
}
