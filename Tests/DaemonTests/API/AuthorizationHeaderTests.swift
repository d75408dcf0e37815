import Testing

@testable import Daemon

/// The forms of `Authorization` the API accepts as a bearer token, and those it refuses.
@Suite struct AuthorizationHeaderTests {
    @Test func acceptsTheBearerSchemeInAnyCaseWithOptionalWhitespace() {
        #expect(Authenticator.bearerSecret("Bearer jp_abc") == "jp_abc")
        #expect(Authenticator.bearerSecret("bearer jp_abc") == "jp_abc")
        #expect(Authenticator.bearerSecret("BEARER jp_abc") == "jp_abc")
        #expect(Authenticator.bearerSecret("Bearer \t  jp_abc \t") == "jp_abc")
        #expect(Authenticator.bearerSecret("  Bearer\tjp_abc") == "jp_abc")
    }

    @Test func refusesOtherSchemesAndMissingSecrets() {
        #expect(Authenticator.bearerSecret("Basic dXNlcjpwYXNz") == nil)
        #expect(Authenticator.bearerSecret("Bearer") == nil)
        #expect(Authenticator.bearerSecret("Bearer   ") == nil)
        #expect(Authenticator.bearerSecret("Bearerjp_abc") == nil)
        #expect(Authenticator.bearerSecret("Bearér jp_abc") == nil)
        #expect(Authenticator.bearerSecret("") == nil)
    }

    @Test func trimsOnlySpacesAndTabs() {
        #expect("\t a b \t".trimmingBlanks() == "a b")
        #expect("".trimmingBlanks() == "")
        #expect("   ".trimmingBlanks() == "")
        #expect("\u{00A0}x\u{00A0}".trimmingBlanks() == "\u{00A0}x\u{00A0}")
    }
}
