import Daemon
import Dispatch
import Testing

@Suite("HTTP server: deferred responses")
struct DeferredResponseTests {
    @Test func answeredFromAnotherThreadAfterADelay() throws {
        try withTestServer { request, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(150)) {
                responder.respond(.text("later \(request.path)"))
            }
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            for round in 0..<3 {
                let start = ContinuousClock.now
                let response = try client.request("GET", "/r\(round)")
                #expect(response.status == 200)
                #expect(response.text == "later /r\(round)")
                #expect(ContinuousClock.now - start >= .milliseconds(140))
            }
        }
    }

    @Test func answeredFromAnotherThreadBeforeHandleReturns() throws {
        try withTestServer { _, responder in
            let answered = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                responder.respond(.text("raced"))
                answered.signal()
            }
            answered.wait()
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            for _ in 0..<20 {
                #expect(try client.request("GET", "/").text == "raced")
            }
        }
    }

    @Test func racingAnswersNeverHangOrMixUp() throws {
        // The answer comes from another thread at about the moment handle returns: either path must work.
        try withTestServer { request, responder in
            DispatchQueue.global().async {
                responder.respond(.text(request.queryValue("n") ?? ""))
            }
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            for n in 0..<300 {
                #expect(try client.request("GET", "/?n=\(n)").text == String(n))
            }
        }
    }

    @Test func sixtyFourConcurrentDeferredRequestsAreAllAnswered() throws {
        let count = 64
        let waiting = Shared<[Responder]>([])
        try withTestServer { configuration in
            configuration.perIPConnectionLimit = 0
        } handler: { request, responder in
            if request.path == "/now" {
                responder.respond(.text("now"))
                return
            }
            // Hold every answer until all 64 requests are suspended at once, then answer them together.
            let all = waiting.update { waiting -> [Responder]? in
                waiting.append(responder)
                return waiting.count == count ? waiting : nil
            }
            if let all {
                DispatchQueue.global().async {
                    for (index, responder) in all.enumerated() {
                        responder.respond(.text("answer \(index)"))
                    }
                }
            }
        } _: { server in
            let clients = try (0..<count).map { _ in try HTTPTestClient(port: server.port) }
            for (index, client) in clients.enumerated() {
                try client.send("GET", "/wait?i=\(index)")
            }
            var answers = Set<String>()
            for client in clients {
                let response = try client.readResponse()
                #expect(response.status == 200)
                answers.insert(response.text)
            }
            #expect(answers.count == count)
            // Every connection is still usable afterwards (kept alive through suspend and resume).
            for client in clients {
                #expect(try client.request("GET", "/now").text == "now")
            }
        }
    }
}
