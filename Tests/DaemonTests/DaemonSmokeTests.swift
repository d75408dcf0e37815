import Testing
@testable import Daemon

@Test func moduleLinks() { #expect(Bool(true)) }
