import Foundation
import Model
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Slow and greedy clients: stalled half-requests must not starve a well-behaved client, and a flood of
/// connections beyond the limit is turned away without harming the clients already connected.
@Suite struct ConnectionLimitTests {
    /// Half a request, in several ways of stopping short.
    private static func stall(_ client: HTTPTestClient, _ n: Int) throws {
        switch n % 4 {
        case 0: break  // connected, silent
        case 1: try client.sendRaw(Array("POST /v1/values HTTP/1.1\r\nHost: localh".utf8))
        case 2:
            try client.sendRaw(
                Array(
                    "POST /v1/values HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na"
                        .utf8))
        default:
            try client.sendRaw(
                Array("POST /v1/values HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{\"".utf8)
            )
        }
    }

    /// Times `count` requests of a well-behaved client, half on one keep-alive connection, half each on a new one.
    private static func serve(_ daemon: TestDaemon, count: Int) throws -> [Duration] {
        var latencies: [Duration] = []
        let keepAlive = try daemon.client()
        for n in 0..<count {
            let start = ContinuousClock.now
            let client = n % 2 == 0 ? keepAlive : try daemon.client()
            let response =
                n % 3 == 0
                ? try client.post("/v1/values", ["name": .string("well behaved \(n)")])
                : try client.get("/v1/values?limit=5")
            #expect(response.status == (n % 3 == 0 ? 201 : 200))
            latencies.append(ContinuousClock.now - start)
        }
        return latencies.sorted()
    }

    @Test func hundredsOfStalledConnectionsDoNotStarveAWellBehavedClient() throws {
        let daemon = try TestDaemon()
        let baseline = try Self.serve(daemon, count: 20)
        let stalled = try (0..<400).map { n -> HTTPTestClient in
            let client = try HTTPTestClient(port: daemon.port)
            try Self.stall(client, n)
            return client
        }
        let latencies = try Self.serve(daemon, count: 60)
        let worst = latencies.last!
        #expect(
            worst < .seconds(1), "slowest answer \(worst) with 400 stalled connections (baseline \(baseline.last!))")
        // The stalled ones are still waiting, not answered nor dropped yet (the timeout is 30 s).
        #expect(stalled.filter { $0.waitForClose(within: .zero) }.isEmpty)
        print(
            "400 stalled connections: well-behaved median \(latencies[latencies.count / 2]), worst \(worst) (alone: median \(baseline[baseline.count / 2]))"
        )
    }

    @Test func stalledConnectionsAreDroppedAfterTheTimeout() throws {
        let daemon = try TestDaemon { $0.http.connectionTimeoutSeconds = 2 }
        let stalled = try (0..<40).map { n -> HTTPTestClient in
            let client = try HTTPTestClient(port: daemon.port)
            try Self.stall(client, n)
            return client
        }
        let start = ContinuousClock.now
        for client in stalled {
            #expect(client.waitForClose(within: .seconds(6)), "a stalled connection outlived the 2 s timeout")
        }
        #expect(ContinuousClock.now - start < .seconds(6))
        #expect(try daemon.client().get("/healthz").status == 200)
    }

    /// libmicrohttpd stops accepting at the limit: connections past it wait in the kernel's accept queue, unserved,
    /// until a slot frees, while the clients already connected are served as before.
    @Test func aConnectionFloodBeyondTheLimitWaitsWithoutHarmingConnectedClients() throws {
        let limit = 64
        let daemon = try TestDaemon { $0.http.connectionLimit = limit }
        let good = try daemon.client()
        #expect(try good.get("/v1/values").status == 200)
        // Three times the limit, each asking for something at once.
        var flood: [HTTPTestClient] = []
        for _ in 0..<(limit * 3) {
            guard let client = try? HTTPTestClient(port: daemon.port, timeout: .seconds(2)) else { continue }
            client.sendRawTolerantly(HTTPTestClient.encode("GET", "/healthz"))
            flood.append(client)
        }
        // The client that was there first is served as before, promptly.
        for _ in 0..<20 {
            let start = ContinuousClock.now
            #expect(try good.get("/v1/values?limit=1").status == 200)
            #expect(ContinuousClock.now - start < .seconds(1))
        }
        pause(milliseconds: 500)
        let served = flood.filter { !((try? $0.readAvailable(for: .milliseconds(1))) ?? []).isEmpty }
        #expect(served.count < limit, "\(served.count) flood connections were served past a limit of \(limit)")
        #expect(flood.count - served.count >= 2 * limit)
        // As slots free, the waiting ones get in and are answered; nothing was lost or broken.
        for client in served { client.close() }
        let waiting = flood.filter { client in !served.contains { $0 === client } }
        var answered = 0
        for client in waiting.prefix(limit / 2) {
            if let response = try? client.readResponse(), response.status == 200 { answered += 1 }
        }
        #expect(answered == limit / 2)
        #expect(try good.get("/healthz").status == 200)
        print(
            "connection flood: limit \(limit), \(flood.count) more connections: \(served.count) served at once, \(flood.count - served.count) held back until slots freed"
        )
    }
}
