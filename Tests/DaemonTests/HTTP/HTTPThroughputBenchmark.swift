import Daemon
import Dispatch
import Foundation
import Testing

/// Throughput numbers for the HTTP layer, measured with wrk on loopback. Off by default (it takes a while and the
/// numbers depend on the machine): `JOBPREP_HTTP_BENCH=1 swift test --filter HTTPThroughputBenchmark`.
@Suite("HTTP server: throughput (JOBPREP_HTTP_BENCH=1)", .serialized)
struct HTTPThroughputBenchmark {
    static let enabled =
        ProcessInfo.processInfo.environment["JOBPREP_HTTP_BENCH"] == "1"
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk")

    static let headers = [
        "Accept: application/json", "User-Agent: bench/1.0", "Accept-Encoding: gzip", "X-Request-Id: 1234567890",
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "Cookie: a=b; c=d",
    ]

    @Test(.enabled(if: enabled), arguments: ["sync", "deferred"])
    func smallResponses(mode: String) throws {
        let body = Array(#"{"ok":true}"#.utf8)
        let queue = DispatchQueue(label: "writer")
        try withTestServer { request, responder in
            let response = HTTPResponse(headers: ["Content-Type": "application/json"], bytes: body)
            if mode == "deferred" {
                queue.async { responder.respond(response) }  // the group-commit shape: a writer thread answers
            } else {
                responder.respond(response)
            }
            _ = request.headers["authorization"]
        } _: { server in
            let output = try wrk(port: server.port, connections: 64, seconds: 5)
            print("HTTP benchmark (\(mode), 64 keep-alive connections, 2 server threads):\n\(output)")
        }
    }

    private func wrk(port: UInt16, connections: Int, seconds: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments =
            ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency"]
            + Self.headers.flatMap { ["-H", $0] } + ["http://127.0.0.1:\(port)/items?limit=10"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
