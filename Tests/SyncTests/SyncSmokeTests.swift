import Testing
@testable import Sync

@Test func moduleLinks() { #expect(Bool(true)) }
