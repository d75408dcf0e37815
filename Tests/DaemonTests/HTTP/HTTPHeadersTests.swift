import Testing

@testable import Daemon

/// Header names are compared ASCII case-insensitively, and only letters fold.
@Suite struct HTTPHeadersTests {
    @Test func namesMatchInAnyCase() {
        #expect("Host".equalsIgnoringASCIICase("host"))
        #expect("AUTHORIZATION".equalsIgnoringASCIICase("Authorization"))
        #expect("if-none-match".equalsIgnoringASCIICase("If-None-Match"))
        #expect("".equalsIgnoringASCIICase(""))
    }

    @Test func onlyLettersFold() {
        // '[' (0x5B) and '{' (0x7B), '@' and '`', differ by the case bit but are not letters.
        #expect(!"a[b".equalsIgnoringASCIICase("a{b"))
        #expect(!"@".equalsIgnoringASCIICase("`"))
        #expect(!"Host".equalsIgnoringASCIICase("Hosts"))
        #expect(!"Host".equalsIgnoringASCIICase("Hose"))
        #expect(!"é".equalsIgnoringASCIICase("É"))
    }

    @Test func lookupIsCaseInsensitiveAndKeepsOrder() {
        let headers: HTTPHeaders = ["Accept": "a", "X-Tag": "1", "x-tag": "2"]
        #expect(headers["accept"] == "a")
        #expect(headers["X-TAG"] == "1")
        #expect(headers.values(for: "x-Tag") == ["1", "2"])
        #expect(headers["Accept-Encoding"] == nil)
    }
}
