import Daemon
import Dispatch
import Testing

@Suite("HTTP server: odd clients")
struct ConnectionRobustnessTests {
    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try withTestServer { request, responder in
            // Answer the first one late: the later ones must still come back in order.
            if request.path == "/0" {
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) {
                    responder.respond(.text(request.path))
                }
            } else {
                responder.respond(.text(request.path))
            }
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            try client.sendRaw((0..<5).flatMap { HTTPTestClient.encode("GET", "/\($0)") })
            for n in 0..<5 {
                #expect(try client.readResponse().text == "/\(n)")
            }
        }
    }

    @Test func clientGoneWhileADeferredAnswerIsPendingDoesNoHarm() throws {
        let pending = Shared<Responder?>(nil)
        let handled = DispatchSemaphore(value: 0)
        try withTestServer { request, responder in
            if request.path == "/slow" {
                pending.set(responder)
                handled.signal()
            } else {
                responder.respond(.text("alive"))
            }
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            try client.send("GET", "/slow")
            #expect(handled.wait(timeout: .now() + 5) == .success)
            client.abort()
            pause(milliseconds: 50)
            try #require(pending.get()).respond(.text("nobody listens"))
            let other = try HTTPTestClient(port: server.port)
            #expect(try other.request("GET", "/").text == "alive")
        }
    }

    @Test func garbageGetsA400FromLibmicrohttpd() throws {
        let calls = Shared(0)
        try withTestServer { _, responder in
            calls.update { $0 += 1 }
            responder.respond(.text("never"))
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            try client.sendRaw(Array("NOT HTTP AT ALL\r\n\r\n".utf8))
            let reply = String(decoding: try client.readAvailable(for: .seconds(2)), as: UTF8.self)
            #expect(reply.hasPrefix("HTTP/1.1 400"))
            #expect(calls.get() == 0)
        }
    }

    /// The connection memory limit bounds the request head: a generous one is served, an oversized one is refused
    /// by libmicrohttpd before the handler, and the server goes on.
    @Test func largeHeadersFitAndOversizedOnesGetA431() throws {
        let calls = Shared(0)
        try withTestServer { request, responder in
            calls.update { $0 += 1 }
            responder.respond(.text("\(request.headers["X-Large"]?.utf8.count ?? 0)"))
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            let large = String(repeating: "a", count: 16_000)
            #expect(try client.request("GET", "/", headers: [("X-Large", large)]).text == "16000")
            let oversized = try HTTPTestClient(port: server.port)
            try oversized.send("GET", "/", headers: [("X-Large", String(repeating: "a", count: 100_000))])
            let reply = String(decoding: try oversized.readAvailable(for: .seconds(2)), as: UTF8.self)
            #expect(reply.hasPrefix("HTTP/1.1 431"), "\(reply.prefix(80))")
            #expect(calls.get() == 1)
            #expect(try HTTPTestClient(port: server.port).request("GET", "/").status == 200)
        }
    }

    @Test(arguments: ["abc", "-1", "12 34", "99999999999999999999999"])
    func malformedContentLengthNeverReachesTheHandler(value: String) throws {
        let calls = Shared(0)
        try withTestServer { _, responder in
            calls.update { $0 += 1 }
            responder.respond(.text("handled"))
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            try client.sendRaw(Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(value)\r\n\r\nabc".utf8))
            let reply = String(decoding: try client.readAvailable(for: .seconds(1)), as: UTF8.self)
            #expect(reply.hasPrefix("HTTP/1.1 400") || reply.hasPrefix("HTTP/1.1 413"), "\(reply)")
            #expect(calls.get() == 0)
        }
    }

    @Test func manyStreamsAtOnce() throws {
        let count = 32
        let streams = Shared<[ResponseStream]>([])
        try withTestServer { _, responder in
            let stream = ResponseStream()
            streams.update { $0.append(stream) }
            responder.respond(HTTPResponse(body: .stream(stream)))
        } _: { server in
            let clients = try (0..<count).map { _ in try HTTPTestClient(port: server.port) }
            for client in clients {
                try client.send("GET", "/events")
                #expect(try client.readHead().status == 200)
            }
            for round in 0..<3 {
                for stream in streams.get() { stream.send("tick \(round)") }
                for client in clients {
                    #expect(try client.readChunk() == Array("tick \(round)".utf8))
                }
            }
            for stream in streams.get() { stream.finish() }
            for client in clients {
                #expect(try client.readChunk() == nil)
            }
        }
    }
}
