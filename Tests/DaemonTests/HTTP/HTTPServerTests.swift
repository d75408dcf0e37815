import Daemon
import Testing

@Suite("HTTP server: requests and responses")
struct HTTPServerTests {
    @Test func roundTripSeesMethodPathQueryAndHeaders() throws {
        let seen = Shared<HTTPRequest?>(nil)
        try withTestServer { request, responder in
            seen.set(request)
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            headers.add(name: "X-Echo", value: request.headers["x-test"] ?? "")
            headers.add(name: "X-Echo", value: "second")
            responder.respond(HTTPResponse(status: 201, headers: headers, bytes: Array(#"{"ok":true}"#.utf8)))
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            let response = try client.request(
                "PUT", "/items/42?x=1&y=hello%20world&x=2&flag&plus=a+b",
                headers: [("X-Test", "abc"), ("x-multi", "one"), ("X-Multi", "two")])

            #expect(response.status == 201)
            #expect(response.text == #"{"ok":true}"#)
            #expect(response.header("content-type") == "application/json")
            #expect(response.headers.filter { $0.0 == "X-Echo" }.map(\.1) == ["abc", "second"])

            let request = try #require(seen.get())
            #expect(request.method == "PUT")
            #expect(request.path == "/items/42")
            #expect(
                request.query == [
                    QueryItem(name: "x", value: "1"), QueryItem(name: "y", value: "hello world"),
                    QueryItem(name: "x", value: "2"), QueryItem(name: "flag", value: ""),
                    QueryItem(name: "plus", value: "a b"),
                ])
            #expect(request.queryValue("x") == "1")
            #expect(request.headers["X-TEST"] == "abc")
            #expect(request.headers["x-test"] == "abc")
            #expect(request.headers.values(for: "x-multi") == ["one", "two"])
            #expect(request.headers["missing"] == nil)
            #expect(request.headers["host"] == "localhost")
            #expect(request.body.isEmpty)
            #expect(request.remoteAddress.hasPrefix("127.0.0.1:"))
            #expect(request.remoteAddress != "127.0.0.1:\(server.port)")
        }
    }

    @Test func headRequestGetsHeadersOnly() throws {
        try withTestServer { _, responder in
            responder.respond(.text("hello"))
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            let head = try client.request("HEAD", "/")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            let get = try client.request("GET", "/")
            #expect(get.text == "hello")
        }
    }

    @Test func twoHundredRequestsOnOneKeepAliveConnection() throws {
        let clients = Shared<Set<String>>([])
        try withTestServer { request, responder in
            clients.update { _ = $0.insert(request.remoteAddress) }
            responder.respond(.text("n=\(request.queryValue("n") ?? "")"))
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            for n in 0..<200 {
                let response = try client.request("GET", "/count?n=\(n)")
                #expect(response.status == 200)
                #expect(response.text == "n=\(n)")
                #expect(response.header("Connection")?.lowercased() != "close")
            }
            #expect(clients.get().count == 1)
        }
    }

    @Test func portZeroPicksARealPort() throws {
        try withTestServer { _, responder in
            responder.respond(.text("up"))
        } _: { server in
            #expect(server.port != 0)
            let client = try HTTPTestClient(port: server.port)
            #expect(try client.request("GET", "/").text == "up")
        }
    }

    @Test func busyPortGivesAClearError() throws {
        try withTestServer { _, responder in
            responder.respond(.text("first"))
        } _: { first in
            var configuration = HTTPServerConfiguration()
            configuration.port = first.port
            let second = try HTTPServer(configuration: configuration, handler: ClosureHandler { _, _ in })
            let error = #expect(throws: HTTPServerError.self) { try second.start() }
            #expect(error?.code == .addressInUse)
            #expect(error?.description == "cannot listen on 127.0.0.1:\(first.port): address in use")
            // The first server is unaffected.
            let client = try HTTPTestClient(port: first.port)
            #expect(try client.request("GET", "/").text == "first")
        }
    }

    @Test func invalidHostIsRejected() throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "not-an-address"
        let error = #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: configuration, handler: ClosureHandler { _, _ in })
        }
        #expect(error?.code == .invalidAddress)
        #expect(error?.description.contains("not-an-address") == true)
    }

    @Test func listensOnIPv6Loopback() throws {
        try withTestServer { configuration in
            configuration.host = "::1"
        } handler: { request, responder in
            responder.respond(.text(request.remoteAddress))
        } _: { server in
            #expect(server.port != 0)
            let client = try HTTPTestClient(port: server.port, host: "::1")
            let response = try client.request("GET", "/")
            #expect(response.text.hasPrefix("[::1]:"))
            // The socket is IPv6 only.
            #expect(throws: HTTPTestClientError.self) { _ = try HTTPTestClient(port: server.port) }
        }
    }

    @Test func idleConnectionsAreClosedAfterTheTimeout() throws {
        try withTestServer { configuration in
            configuration.connectionTimeoutSeconds = 1
        } handler: { _, responder in
            responder.respond(.text("ok"))
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            #expect(try client.request("GET", "/").status == 200)
            let start = ContinuousClock.now
            #expect(client.waitForClose(within: .seconds(5)))
            #expect(ContinuousClock.now - start >= .milliseconds(800))
        }
    }

    @Test func invalidResponseHeadersAreDroppedNotFatal() throws {
        try withTestServer { _, responder in
            responder.respond(
                HTTPResponse(
                    status: 200, headers: ["X-Bad": "line\r\nInjected: yes", "X-Good": "fine"], bytes: Array("ok".utf8))
            )
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            let response = try client.request("GET", "/")
            #expect(response.status == 200)
            #expect(response.header("Injected") == nil)
            #expect(response.header("X-Good") == "fine")
            #expect(try client.request("GET", "/").status == 200)
        }
    }

    @Test func invalidStatusBecomes500() throws {
        try withTestServer { _, responder in
            responder.respond(HTTPResponse(status: 42))
        } _: { server in
            let client = try HTTPTestClient(port: server.port)
            let response = try client.request("GET", "/")
            #expect(response.status == 500)
            #expect(response.header("Content-Type") == "application/problem+json")
        }
    }
}
