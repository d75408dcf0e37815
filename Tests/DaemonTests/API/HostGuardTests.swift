import Testing

@testable import Daemon

/// Which `Host` headers the DNS-rebinding guard lets through: localhost, configured names and IP literals, with an
/// optional port and nothing else.
@Suite struct HostGuardTests {
    @Test func theNameIsWhatPrecedesThePort() {
        #expect(HostGuard.hostname("localhost:8787") == "localhost")
        #expect(HostGuard.hostname("127.0.0.1:8787") == "127.0.0.1")
        #expect(HostGuard.hostname("127.0.0.1") == "127.0.0.1")
        #expect(HostGuard.hostname("[::1]:8787") == "::1")
        #expect(HostGuard.hostname("[::1]") == "::1")
        #expect(HostGuard.hostname("jobprep.lan:") == "jobprep.lan")
    }

    @Test func anythingButDigitsAfterTheNameLeavesNoName() {
        #expect(HostGuard.hostname("localhost:80@evil") == "")
        #expect(HostGuard.hostname("localhost:123456") == "")
        #expect(HostGuard.hostname("localhost:8٠") == "")
        #expect(HostGuard.hostname("[::1]evil") == "")
        #expect(HostGuard.hostname("[::1:8787") == "")
    }

    @Test func allowsLocalNamesConfiguredNamesAndIPLiterals() {
        let guardian = HostGuard(allowedNames: ["JobPrep.lan"])
        for host in [
            "localhost:8787", "LOCALHOST", "app.localhost:1", "jobprep.lan", "JOBPREP.LAN:8787", "127.0.0.1:8787",
            "[::1]:8787", "10.0.0.7",
        ] {
            #expect(guardian.allows(host), "\(host)")
        }
        #expect(guardian.allows(nil))
    }

    @Test func refusesOtherNamesAndMalformedHosts() {
        let guardian = HostGuard(allowedNames: ["jobprep.lan"])
        for host in [
            "evil.example", "evil.example:8787", "localhost.evil", "jobprep.lan.evil", "", ":8787",
            "localhost:80@evil", "::1", "[::1]evil", "1.2.3.4.5", "[\u{301}::1]:8787",
        ] {
            #expect(!guardian.allows(host), "\(host)")
        }
    }
}
