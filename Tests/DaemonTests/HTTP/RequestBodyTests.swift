import Daemon
import Testing

@Suite("HTTP server: request bodies")
struct RequestBodyTests {
    static let limit = 1 << 20
    static let tooLargeJSON =
        #"{"type":"urn:jobprep:problem:payload-too-large","title":"Payload Too Large","status":413,"detail":"the request body is larger than 1048576 bytes"}"#

    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Echoes the body back with its length in a header.
    static func echo(_ request: HTTPRequest, _ responder: Responder) {
        responder.respond(
            HTTPResponse(
                status: 200, headers: ["X-Length": String(request.body.count)], bytes: request.body))
    }

    @Test func smallBodyArrivesIntact() throws {
        try withTestServer(handler: Self.echo) { server in
            let client = try HTTPTestClient(port: server.port)
            let body = Array(#"{"name":"Ada"}"#.utf8)
            let response = try client.request(
                "POST", "/echo", headers: [("Content-Type", "application/json")],
                body: body)
            #expect(response.status == 200)
            #expect(response.body == body)
        }
    }

    @Test(arguments: [false, true])
    func bodyOfExactlyTheLimitIsAccepted(chunked: Bool) throws {
        try withTestServer(handler: Self.echo) { server in
            let client = try HTTPTestClient(port: server.port)
            let body = Self.bytes(Self.limit)
            let response = try client.request("POST", "/echo", body: body, chunked: chunked)
            #expect(response.status == 200)
            #expect(response.header("X-Length") == String(Self.limit))
            #expect(response.body == body)
            // The connection stays usable.
            #expect(try client.request("POST", "/echo", body: [1, 2, 3]).body == [1, 2, 3])
        }
    }

    @Test func bodyOverTheLimitByContentLengthGets413() throws {
        let calls = Shared(0)
        try withTestServer { request, responder in
            calls.update { $0 += 1 }
            Self.echo(request, responder)
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            // A client that sends everything before reading, as most do.
            client.sendRawTolerantly(HTTPTestClient.encode("POST", "/echo", body: Self.bytes(Self.limit + 1)))
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.text == Self.tooLargeJSON)
            #expect(calls.get() == 0)
        }
    }

    @Test func contentLengthOverTheLimitIsAnsweredBeforeTheBody() throws {
        try withTestServer(handler: Self.echo) { server in
            let client = try HTTPTestClient(port: server.port)
            try client.sendRaw(Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000000\r\n\r\n".utf8))
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(client.waitForClose(within: .seconds(5)))
        }
    }

    @Test func chunkedBodyOverTheLimitGets413() throws {
        let calls = Shared(0)
        try withTestServer { request, responder in
            calls.update { $0 += 1 }
            Self.echo(request, responder)
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            client.sendRawTolerantly(
                HTTPTestClient.encode("POST", "/echo", body: Self.bytes(Self.limit + 1), chunked: true))
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.text == Self.tooLargeJSON)
            #expect(calls.get() == 0)
        }
    }

    @Test func aPathCanHaveALimitOfItsOwn() throws {
        try withTestServer { configuration in
            configuration.maxBodyBytes = 10
            configuration.bodyLimitsByPath = ["/big": 100]
        } handler: { request, responder in
            Self.echo(request, responder)
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            #expect(try client.request("POST", "/big", body: Self.bytes(100)).status == 200)
            #expect(try client.request("POST", "/big?x=1", body: Self.bytes(100), chunked: true).status == 200)
            let over = try client.request("POST", "/big", body: Self.bytes(101), chunked: true)
            #expect(over.status == 413)
            #expect(over.text.contains(#""detail":"the request body is larger than 100 bytes""#))
            let other = try HTTPTestClient(port: server.port)
            #expect(try other.request("POST", "/bigger", body: Self.bytes(11)).status == 413)
        }
    }

    @Test func smallerLimitIsReportedInTheProblem() throws {
        try withTestServer { configuration in
            configuration.maxBodyBytes = 10
        } handler: { request, responder in
            Self.echo(request, responder)
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            #expect(try client.request("POST", "/", body: Self.bytes(10)).status == 200)
            let response = try client.request("POST", "/", body: Self.bytes(11), chunked: true)
            #expect(response.status == 413)
            #expect(response.text.contains(#""detail":"the request body is larger than 10 bytes""#))
        }
    }
}
