import Foundation
import Logging

/// One request on its way through the API: the request, who answers it, and the bookkeeping
/// (route label for metrics, one log line) done when it is answered, on whichever thread that is.
struct Exchange: Sendable {
    let request: HTTPRequest
    let responder: Responder
    let started: UInt64
    let route: String
    let api: API

    func respond(_ response: HTTPResponse) {
        var response = response
        api.cors.decorate(&response, for: request)
        responder.respond(response)
        let elapsed = Monotonic.nanoseconds() - started
        api.metrics.record(route: route, method: request.method, status: response.status, nanoseconds: elapsed)
        if api.configuration.logRequests {
            let size: Int
            if case .bytes(let bytes) = response.body { size = bytes.count } else { size = -1 }
            api.logger.info(
                "\(Self.printable(request.method)) \(Self.printable(request.path)) \(response.status) \(size)B \(Self.milliseconds(elapsed))ms",
                metadata: ["client": "\(request.remoteAddress)"])
        }
    }

    /// "1.25" for 1,250,000 ns. Foundation's `String(format: "%.2f")` cost more than the rest of the log line.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let hundredths = (nanoseconds + 5_000) / 10_000
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Text as it may go in a log line: control characters escaped (`\n` in a path cannot forge a line), at most
    /// 200 characters.
    static func printable(_ text: String) -> String {
        if text.utf8.count <= 200, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = ""
        for scalar in text.unicodeScalars.prefix(200) {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return text.unicodeScalars.count > 200 ? out + "…" : out
    }

    func fail(_ problem: Problem) { respond(problem.response) }

    func fail(_ error: Error) { respond(Problem.from(error).response) }

    /// Runs `body` and answers with its response, or with the problem it throws.
    func answer(_ body: () throws -> HTTPResponse) {
        do {
            respond(try body())
        } catch {
            fail(error)
        }
    }
}

enum Monotonic {
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
