import Testing

@testable import Model

@Suite struct CatalogTests {
    @Test func theProfileAndFourteenCollections() {
        #expect(Catalog.all.count == 15)
        #expect(Catalog.all.filter(\.isSingleton).map(\.name) == ["profile"])
        #expect(
            Set(Catalog.all.map(\.name)) == [
                "profile", "values", "industries", "compensation-research", "pitches", "companies",
                "value-assessments", "contacts", "opportunities", "activities", "questions", "answers", "stories",
                "traits", "job-boards",
            ])
    }

    @Test func everyReferencePointsAtACollection() {
        for collection in Catalog.all {
            for leaf in collection.referenceLeaves {
                #expect(Catalog.collection(leaf.type.referencedCollection!) != nil, "\(collection.name).\(leaf.name)")
            }
        }
    }

    @Test func leavesFitTheSearchIndexRowRange() {
        for collection in Catalog.all { #expect(collection.leaves.count < 64) }
    }

    @Test func everyBuiltinQuestionHasGuidanceAndAKnownCategory() {
        #expect(Set(Catalog.builtinQuestions.map(\.id)).count == 12)
        for question in Catalog.builtinQuestions {
            #expect(question.guidance.count > 80)
            #expect(Catalog.questionCategories.contains(question.category))
            #expect(RecordID.isValid(question.id))
        }
    }

    @Test func theFingerprintIsStable() {
        #expect(Catalog.fingerprint.count == 16)
        #expect(Catalog.fingerprint == Catalog.fingerprint)
    }

    @Test func calendarRoundTrips() {
        for days in stride(from: -800_000, to: 2_900_000, by: 997) {
            let (y, m, d) = CalendarDate.civil(days: days)
            #expect(CalendarDate.days(year: y, month: m, day: d) == days)
        }
        #expect(CalendarDate.formatDateTime(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(CalendarDate.parseDateTime("2026-11-26T19:11:50.180Z") == 1_795_720_310_180)
        #expect(CalendarDate.formatDateTime(millis: 1_795_720_310_180) == "2026-11-26T19:11:50.180Z")
    }
}
