import Foundation
import Testing

@testable import Daemon

/// `Benchmarks/bare-mhd.c` is the ceiling `scripts/bench` compares jobprepd with: libmicrohttpd configured as
/// jobprepd configures it. Its settings are C constants, so this keeps them in step with the daemon's.
@Suite struct BareServerTests {
    @Test func theBareServerUsesJobprepdsConnectionPool() throws {
        let text = try String(contentsOf: RepositoryFiles.url("Benchmarks/bare-mhd.c"), encoding: .utf8)
        let pattern = #/MHD_OPTION_CONNECTION_MEMORY_LIMIT,\s*\(size_t\)\((\d+) \* 1024\)/#
        let match = try #require(
            text.firstMatch(of: pattern), "no MHD_OPTION_CONNECTION_MEMORY_LIMIT of the form (size_t)(N * 1024)")
        #expect(Int(match.1)! * 1024 == HTTPServerConfiguration().connectionMemoryLimit)
    }
}
