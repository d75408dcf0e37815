import Daemon
import Dispatch
import Testing

@Suite("HTTP server: streamed responses")
struct ResponseStreamTests {
    @Test func chunksArriveOneByOneThenTheStreamEnds() throws {
        // The producer sends the next chunk only once the client has read the previous one: a server that
        // buffered the body until finish() would make this test time out.
        let readByClient = DispatchSemaphore(value: 0)
        let closed = DispatchSemaphore(value: 0)
        try withTestServer { _, responder in
            let stream = ResponseStream()
            stream.onClose { closed.signal() }
            responder.respond(HTTPResponse(headers: ["Content-Type": "text/event-stream"], body: .stream(stream)))
            DispatchQueue.global().async {
                for (index, text) in ["one", "two", "three"].enumerated() {
                    if index > 0 {
                        pause(milliseconds: 50)
                        guard readByClient.wait(timeout: .now() + 10) == .success else { return }
                    }
                    stream.send("data: \(text)\n\n")
                }
                guard readByClient.wait(timeout: .now() + 10) == .success else { return }
                stream.finish()
            }
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            try client.send("GET", "/events")
            let head = try client.readHead()
            #expect(head.status == 200)
            #expect(head.isChunked)
            #expect(head.header("Content-Type") == "text/event-stream")
            var received: [String] = []
            for _ in 0..<3 {
                let chunk = try #require(try client.readChunk())
                received.append(String(decoding: chunk, as: UTF8.self))
                readByClient.signal()
            }
            #expect(received == ["data: one\n\n", "data: two\n\n", "data: three\n\n"])
            #expect(try client.readChunk() == nil)
            #expect(closed.wait(timeout: .now() + 5) == .success)
            // The connection is kept alive after a finished stream.
            try client.send("GET", "/events")
            #expect(try client.readHead().status == 200)
        }
    }

    @Test func bytesSentBeforeTheResponseAndBigBodiesArriveWhole() throws {
        let big = (0..<300_000).map { UInt8($0 % 251) }
        try withTestServer { _, responder in
            let stream = ResponseStream()
            stream.send(Array("early|".utf8))
            responder.respond(HTTPResponse(body: .stream(stream)))
            DispatchQueue.global().async {
                stream.send(big)
                stream.finish()
                stream.send(Array("ignored after finish".utf8))
            }
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            let response = try client.request("GET", "/")
            #expect(response.body == Array("early|".utf8) + big)
        }
    }

    @Test func clientDisconnectClosesTheStream() throws {
        let stream = Shared<ResponseStream?>(nil)
        let closed = DispatchSemaphore(value: 0)
        try withTestServer { _, responder in
            let created = ResponseStream()
            created.onClose { closed.signal() }
            stream.set(created)
            responder.respond(HTTPResponse(body: .stream(created)))
            created.send("hello")
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            try client.send("GET", "/events")
            #expect(try client.readHead().status == 200)
            #expect(try client.readChunk() == Array("hello".utf8))
            client.close()

            let producer = try #require(stream.get())
            #expect(!producer.isClosed)
            // A suspended connection cannot notice the client left; the next sends (heartbeats) do.
            let deadline = ContinuousClock.now + .seconds(5)
            while !producer.isClosed && ContinuousClock.now < deadline {
                producer.send(": heartbeat\n\n")
                pause(milliseconds: 20)
            }
            #expect(producer.isClosed)
            #expect(closed.wait(timeout: .now() + 1) == .success)
            // A late onClose runs at once; sends after close are ignored.
            let late = DispatchSemaphore(value: 0)
            producer.onClose { late.signal() }
            #expect(late.wait(timeout: .now()) == .success)
            producer.send("dropped")
            #expect(producer.bufferedByteCount == 0)
        }
    }

    @Test func idleStreamHoldsNoWorker() throws {
        // With a single worker thread, an idle (suspended) stream must not stop other requests from being served.
        let stream = Shared<ResponseStream?>(nil)
        try withTestServer { configuration in
            configuration.threads = 1
        } handler: { request, responder in
            if request.path == "/stream" {
                let created = ResponseStream()
                stream.set(created)
                responder.respond(HTTPResponse(body: .stream(created)))
            } else {
                responder.respond(.text("pong"))
            }
        } _: { server in
            let streaming = try HTTPTestClient(port: server.port)
            try streaming.send("GET", "/stream")
            #expect(try streaming.readHead().status == 200)
            let other = try HTTPTestClient(port: server.port)
            for _ in 0..<10 {
                #expect(try other.request("GET", "/ping").text == "pong")
            }
            let producer = try #require(stream.get())
            producer.send("late")
            #expect(try streaming.readChunk() == Array("late".utf8))
            producer.finish()
            #expect(try streaming.readChunk() == nil)
        }
    }
}
