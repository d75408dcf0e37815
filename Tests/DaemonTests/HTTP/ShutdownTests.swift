import Daemon
import Dispatch
import Foundation
import Testing

@Suite("HTTP server: shutdown")
struct ShutdownTests {
    @Test func shutdownWithAnOpenStreamAndAPendingResponseIsPrompt() throws {
        let abandoned = Shared<[Responder]>([])
        let handled = DispatchSemaphore(value: 0)
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = try HTTPServer(
            configuration: configuration,
            handler: ClosureHandler { request, responder in
                if request.path == "/stream" {
                    let stream = ResponseStream()
                    responder.respond(HTTPResponse(body: .stream(stream)))
                    stream.send("first")
                } else {
                    abandoned.update { $0.append(responder) }  // never answered by the handler
                }
                handled.signal()
            })
        try server.start()

        let streaming = try HTTPTestClient(port: server.port)
        try streaming.send("GET", "/stream")
        #expect(try streaming.readHead().status == 200)
        #expect(try streaming.readChunk() == Array("first".utf8))
        let waiting = try HTTPTestClient(port: server.port)
        try waiting.send("GET", "/slow")
        #expect(handled.wait(timeout: .now() + 5) == .success)
        #expect(handled.wait(timeout: .now() + 5) == .success)

        let start = ContinuousClock.now
        server.shutdown(gracePeriod: .milliseconds(300))
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(2), "shutdown took \(elapsed)")

        // The stream was finished cleanly and the pending request was answered 503.
        #expect(try streaming.readChunk() == nil)
        let answer = try waiting.readResponse()
        #expect(answer.status == 503)
        #expect(answer.header("Content-Type") == "application/problem+json")
        // A late answer from the handler is ignored.
        for responder in abandoned.get() { responder.respond(.text("too late")) }
        // Nothing listens any more.
        #expect(throws: HTTPTestClientError.self) { _ = try HTTPTestClient(port: server.port) }
    }

    /// A started server whose handler answers "finished in time" `delay` after each request, from another thread;
    /// `handled` is signalled as each request reaches the handler.
    private func deferringServer(answeringAfter delay: DispatchTimeInterval) throws
        -> (server: HTTPServer, handled: DispatchSemaphore)
    {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let handled = DispatchSemaphore(value: 0)
        let server = try HTTPServer(
            configuration: configuration,
            handler: ClosureHandler { _, responder in
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
                    responder.respond(.text("finished in time"))
                }
                handled.signal()
            })
        try server.start()
        return (server, handled)
    }

    @Test func shutdownWaitsForDeferredResponsesWithinTheGracePeriod() throws {
        let (server, handled) = try deferringServer(answeringAfter: .milliseconds(200))
        let client = try HTTPTestClient(port: server.port)
        try client.send("GET", "/")
        #expect(handled.wait(timeout: .now() + 5) == .success)
        server.shutdown(gracePeriod: .seconds(5))
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "finished in time")
    }

    /// The listening socket stays open until the end (see ``HTTPServer/shutdown(gracePeriod:beforeRefusing:)``): a
    /// client that connects during the grace period is answered 503 at once, not left waiting for the end.
    @Test func aNewConnectionDuringTheGracePeriodIsAnswered503() throws {
        let (server, handled) = try deferringServer(answeringAfter: .seconds(2))
        let slow = try HTTPTestClient(port: server.port)
        try slow.send("GET", "/slow")
        #expect(handled.wait(timeout: .now() + 5) == .success)
        let stopped = DispatchSemaphore(value: 0)
        // A thread of its own: the global queue's few threads may all be busy when the suite runs in parallel.
        Thread {
            server.shutdown(gracePeriod: .seconds(5))
            stopped.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.2)

        let start = ContinuousClock.now
        let late = try HTTPTestClient(port: server.port)
        try late.send("GET", "/")
        let refused = try late.readResponse()
        #expect(refused.status == 503)
        #expect(ContinuousClock.now - start < .seconds(1), "the late request waited for the shutdown")
        #expect(handled.wait(timeout: .now()) == .timedOut, "the late request reached the handler")

        // The request in flight before the shutdown still gets its answer.
        #expect(try slow.readResponse().text == "finished in time")
        #expect(stopped.wait(timeout: .now() + 10) == .success)
    }

    @Test func shutdownIsIdempotentAndWorksBeforeStart() throws {
        let server = try HTTPServer(configuration: HTTPServerConfiguration(), handler: ClosureHandler { _, _ in })
        server.shutdown()
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let started = try HTTPServer(
            configuration: configuration, handler: ClosureHandler { _, r in r.respond(.text("")) })
        try started.start()
        let port = started.port
        started.shutdown(gracePeriod: .zero)
        started.shutdown(gracePeriod: .zero)
        #expect(started.port == port)
        #expect(throws: HTTPServerError.self) { try started.start() }
    }
}
