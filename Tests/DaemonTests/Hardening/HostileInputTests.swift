import Foundation
import Model
import Storage
import Testing

@testable import Daemon

#if canImport(Glibc)
    import Glibc
#endif

/// A raw request the daemon must refuse with a 4xx (or, for bytes that are not HTTP, by closing the connection
/// without an answer), never with a 5xx, a hang or a crash.
struct HostileCase: CustomStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]
    /// An unsupported HTTP version is rightly answered 505.
    var allows505 = false
    /// libmicrohttpd 0.9.75 itself answers 500 (its own HTML page, closing the connection) when a chunk-size line
    /// does not fit in the connection's buffer; nothing reaches jobprepd. A known limit of the library.
    var libmicrohttpd500 = false

    var description: String { name }
}

/// The table: a few hundred hostile requests, built from families of bad parts × the routes they can reach.
enum HostileCases {
    static let host = "Host: localhost\r\n"

    static func request(
        _ method: String, _ target: String, headers: [String] = [], body: [UInt8]? = nil, contentType: String? = nil,
        token: String?
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\n" + host
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        for header in headers { head += header + "\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + (body ?? [])
    }

    static func all(token: String) -> [HostileCase] {
        requestLines() + oversized() + framing() + chunked() + jsonBodies(token: token) + paths(token: token)
            + queries(token: token) + headers(token: token)
    }

    // MARK: Request lines

    static func requestLines() -> [HostileCase] {
        var cases: [HostileCase] = []
        let lines = [
            "GET", "GET /", "GET / HTTP/1.1 extra", " / HTTP/1.1", "GET  / HTTP/1.1", "GET /\tHTTP/1.1",
            "GET / HTTP/", "GET / HTTPS/1.1", "GET / http/1.1", "GET / HTTP/1", "GET / HTTP/1.1.1", "GET / HTTP/-1.1",
            "GET / HTTP/1.a", "\u{1}GET / HTTP/1.1", "G\u{0}T / HTTP/1.1", "GET\u{7F} / HTTP/1.1", "GET / / HTTP/1.1",
            "GET /v1/values HTTP/1.1 HTTP/1.1", "NOT HTTP AT ALL", "\u{FF}\u{FE}",
            "GET http://evil.example/v1/values HTTP/1.1",
            "CONNECT localhost:22 HTTP/1.1", "OPTIONS * HTTP/1.1", "TRACE /v1/values HTTP/1.1",
            "get /v1/values HTTP/1.1",
            "G,ET /v1/values HTTP/1.1", String(repeating: "G", count: 5000) + " /v1/values HTTP/1.1",
            "PATCH /v1/values HTTP/1.1", "PUT /v1/values/x HTTP/1.1", "DELETE /v1/values HTTP/1.1",
            "POST /healthz HTTP/1.1", "DELETE /openapi.yaml HTTP/1.1", "GET ?a=b HTTP/1.1", "GET v1/values HTTP/1.1",
        ]
        for (i, line) in lines.enumerated() {
            cases.append(
                HostileCase(
                    name: "request line \(i): \(line.prefix(40).debugDescription)",
                    bytes: Array((line + "\r\n" + host + "\r\n").utf8)))
        }
        for version in ["HTTP/2.0", "HTTP/3.0", "HTTP/1.2", "HTTP/9.9", "HTTP/0.9"] {
            cases.append(
                HostileCase(
                    name: "version \(version)", bytes: Array("GET /v1/values \(version)\r\n\(host)\r\n".utf8),
                    allows505: true))
        }
        cases.append(
            HostileCase(name: "HTTP/2 preface", bytes: Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8), allows505: true))
        cases.append(
            HostileCase(
                name: "TLS hello on plain HTTP",
                bytes: [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03]
                    + Array(repeating: 0x41, count: 64) + Array("\r\n\r\n".utf8)))
        cases.append(
            HostileCase(
                name: "only CRLFs",
                bytes: Array(String(repeating: "\r\n", count: 100).utf8)
                    + Array("GET /v1/values HTTP/1.1\r\n\(host)\r\n".utf8)))
        cases.append(
            HostileCase(
                name: "bare LF line ends", bytes: Array("GET /v1/values HTTP/1.1\n\(host.dropLast(2))\n\n".utf8)))
        cases.append(
            HostileCase(
                name: "bare CR line ends", bytes: Array("GET /v1/values HTTP/1.1\r\(host.dropLast(2))\r\r\n\r\n".utf8)))
        return cases
    }

    // MARK: Sizes

    static func oversized() -> [HostileCase] {
        var cases: [HostileCase] = []
        for size in [9_000, 70_000, 300_000] {
            cases.append(
                HostileCase(
                    name: "URL of \(size) bytes",
                    bytes: Array("GET /v1/values?\(String(repeating: "a", count: size)) HTTP/1.1\r\n\(host)\r\n".utf8)))
            cases.append(
                HostileCase(
                    name: "path of \(size) bytes",
                    bytes: Array("GET /\(String(repeating: "v", count: size)) HTTP/1.1\r\n\(host)\r\n".utf8)))
            cases.append(
                HostileCase(
                    name: "header value of \(size) bytes",
                    bytes: Array(
                        "GET /v1/values HTTP/1.1\r\n\(host)X-Big: \(String(repeating: "b", count: size))\r\n\r\n".utf8))
            )
            cases.append(
                HostileCase(
                    name: "header name of \(size) bytes",
                    bytes: Array(
                        "GET /v1/values HTTP/1.1\r\n\(host)\(String(repeating: "N", count: size)): v\r\n\r\n".utf8)))
        }
        for count in [2_000, 20_000] {
            let many = (0..<count).map { "X-H\($0): v\r\n" }.joined()
            cases.append(
                HostileCase(
                    name: "\(count) headers", bytes: Array("GET /v1/values HTTP/1.1\r\n\(host)\(many)\r\n".utf8)))
        }
        cases.append(
            HostileCase(
                name: "a thousand query items",
                bytes: Array(
                    "GET /v1/values?\((0..<1000).map { "f\($0)=\($0)" }.joined(separator: "&")) HTTP/1.1\r\n\(host)\r\n"
                        .utf8)))
        cases.append(
            HostileCase(
                name: "Content-Length far over the limit",
                bytes: Array(
                    "POST /v1/values HTTP/1.1\r\n\(host)Content-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n"
                        .utf8)))
        cases.append(
            HostileCase(
                name: "Expect: 100-continue over the limit",
                bytes: Array(
                    "POST /v1/values HTTP/1.1\r\n\(host)Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n"
                        .utf8)))
        return cases
    }

    // MARK: Framing

    static func framing() -> [HostileCase] {
        var cases: [HostileCase] = []
        let lengths = [
            "abc", "-1", "1e3", "0x10", "12 34", "+5", " ", "", "99999999999999999999999", "18446744073709551616",
            "5, 5", "٣",
        ]
        for (i, length) in lengths.enumerated() {
            cases.append(
                HostileCase(
                    name: "Content-Length \(i): \(length.debugDescription)",
                    bytes: Array(
                        "POST /v1/values HTTP/1.1\r\n\(host)Content-Type: application/json\r\nContent-Length: \(length)\r\n\r\n{}"
                            .utf8)))
        }
        cases.append(
            HostileCase(
                name: "two different Content-Lengths",
                bytes: Array(
                    "POST /v1/values HTTP/1.1\r\n\(host)Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}"
                        .utf8)))
        cases.append(
            HostileCase(
                name: "Content-Length and chunked",
                bytes: Array(
                    "POST /v1/values HTTP/1.1\r\n\(host)Content-Type: application/json\r\nContent-Length: 20\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                        .utf8)))
        for encoding in ["gzip", "chunked, gzip", "identity", "chunked, chunked", "x-unknown", "\u{1}"] {
            cases.append(
                HostileCase(
                    name: "Transfer-Encoding \(encoding.debugDescription)",
                    bytes: Array(
                        "POST /v1/values HTTP/1.1\r\n\(host)Content-Type: application/json\r\nTransfer-Encoding: \(encoding)\r\n\r\n0\r\n\r\n"
                            .utf8)))
        }
        let headerLines = [
            "NoColon", ": empty name", "Bad Name: x", "Bad\tName: x", "X-Ctl: a\u{1}b", " Folded: x",
            "X-A: a\r\n continued",
            "Host: evil.example", "Host: localhost\r\nHost: evil.example", "Host: ", "Host: [::1", "Host: local host",
        ]
        for (i, line) in headerLines.enumerated() {
            // Each on a route that needs a token it does not send: the best possible answer is still a 4xx.
            cases.append(
                HostileCase(
                    name: "header line \(i): \(line.debugDescription)",
                    bytes: Array("GET /v1/values HTTP/1.1\r\n\(line.hasPrefix("Host") ? "" : host)\(line)\r\n\r\n".utf8)
                ))
        }
        cases.append(HostileCase(name: "no Host in HTTP/1.1", bytes: Array("GET /healthz HTTP/1.1\r\n\r\n".utf8)))
        cases.append(
            HostileCase(
                name: "two Host headers",
                bytes: Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n".utf8)))
        cases.append(
            HostileCase(
                name: "pipelined garbage after a request",
                bytes: Array("GET /v1/values HTTP/1.1\r\n\(host)\r\nGARBAGE\r\n\r\n".utf8)))
        return cases
    }

    // MARK: Chunked bodies

    static func chunked() -> [HostileCase] {
        var cases: [HostileCase] = []
        let head =
            "POST /v1/values HTTP/1.1\r\n\(host)Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        let bodies = [
            "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n", "10000000000000000\r\nabc\r\n0\r\n\r\n", "-1\r\nabc\r\n0\r\n\r\n",
            "zz\r\nabc\r\n0\r\n\r\n", "0x3\r\nabc\r\n0\r\n\r\n", "3 3\r\nabc\r\n0\r\n\r\n", "\r\nabc\r\n0\r\n\r\n",
            "3\r\nabcdef\r\n0\r\n\r\n", "3\r\nabc0\r\n\r\n",
            "3;\(String(repeating: "e", count: 70_000))\r\nabc\r\n0\r\n\r\n",
            "2\r\n{}\r\n0\r\nX-Trailer: \(String(repeating: "t", count: 70_000))\r\n\r\n",
            "2\r\n{}\r\n0\r\nbad trailer\r\n\r\n",
            "2\n{}\n0\n\n", "+2\r\n{}\r\n0\r\n\r\n",
            "2\r\n{}\r\n00000000000000000000000000000000000000001\r\nx\r\n0\r\n\r\n",
            "0\r\n\r\n",
        ]
        for (i, body) in bodies.enumerated() {
            cases.append(
                HostileCase(
                    name: "chunked \(i): \(body.prefix(30).debugDescription)", bytes: Array((head + body).utf8),
                    libmicrohttpd500: body.utf8.count > HTTPServerConfiguration().connectionMemoryLimit
                        && body.hasPrefix("3;")))
        }
        // A chunk announced near 2^63 and streamed past the discard limit: refused, never buffered.
        var huge = Array((head + "7fffffffffffffff\r\n").utf8)
        huge += [UInt8](repeating: 0x20, count: 5 << 20)
        cases.append(HostileCase(name: "a chunk of 2^63 bytes, 5 MiB of it sent", bytes: huge))
        var many = Array(head.utf8)
        for _ in 0..<20_000 { many += Array("1\r\n \r\n".utf8) }
        many += Array("2\r\n{}\r\n0\r\n\r\n".utf8)
        cases.append(HostileCase(name: "20,000 one-byte chunks", bytes: many))
        return cases
    }

    // MARK: JSON

    static func badJSON() -> [(String, [UInt8])] {
        var bodies: [(String, [UInt8])] = []
        func add(_ name: String, _ text: String) { bodies.append((name, Array(text.utf8))) }
        for depth in [65, 1000, 100_000] {
            add("\(depth) nested arrays", String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
            add(
                "\(depth) nested objects",
                String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth))
            add("\(depth) unclosed arrays", String(repeating: "[", count: depth))
        }
        add("nested name", #"{"name": {"name": {"name": [[[[[[[[[[1]]]]]]]]]]}}}"#)
        for number in [
            // (1e-999 is not here: like 1.00000000000000000001 it rounds to a double that is an integer, 0.)
            "1e999", "-1e999", "123456789012345678901234567890", "-9223372036854775809", "9223372036854775808",
            "1" + String(repeating: "0", count: 5000), "1e99999999999", "-1e99999999999",
            "NaN", "Infinity", "-Infinity", "0x10", "01", "1.", ".1", "-", "1e", "+1", "1_000",
        ] {
            add("rank \(number.prefix(20))", #"{"name":"x","rank":\#(number)}"#)
        }
        for text in [
            "", " ", "\t\n", "null", "[]", "\"just a string\"", "42", "true", "{", "}", "{\"name\"}", "{\"name\":}",
            "{\"name\":\"x\",}", "{'name':'x'}", "{name:\"x\"}", "{\"name\":\"x\"}{}", "{\"name\":\"x\"} x",
            "{\"name\":\"x\",\"name\":\"y\"}", "{\"name\":\"\\u0000\"}", "{\"name\":\"\\ud800\"}",
            "{\"name\":\"\\udc00\\ud800\"}",
            "{\"name\":\"\\x41\"}", "{\"name\":\"\\u12\"}", "{\"name\":\"tab\tinside\"}", "{\"name\":\"line\nbreak\"}",
            "\u{FEFF}{\"name\":\"x\"}", "{\"name\":\"x\"}\u{0}", "/* c */{\"name\":\"x\"}", "{\"name\":\"x\" // c\n}",
            "{\"id\":\"../../etc/passwd\",\"name\":\"x\"}",
            "{\"id\":\"" + String(repeating: "i", count: 200) + "\",\"name\":\"x\"}",
            "{\"id\":\"\",\"name\":\"x\"}", "{\"id\":\"a b\",\"name\":\"x\"}", "{\"id\":\"%00\",\"name\":\"x\"}",
            "{\"name\":\"" + String(repeating: "n", count: 300) + "\"}", "{\"version\":\"x\",\"name\":\"x\"}",
            "{\"created_at\":\"2020\",\"name\":\"x\"}", "{\"name\":null}", "{\"name\":[\"x\"]}", "{\"name\":{\"x\":1}}",
            "{\"name\":\"x\",\"rank\":\"1\"}", "{\"name\":\"x\",\"rank\":-1}", "{\"name\":\"x\",\"rank\":1.5}",
            "{\"name\":\"x\",\"unknown\":1}", "{\"" + String(repeating: "k", count: 100_000) + "\":1}",
        ] {
            add("text \(text.prefix(24).debugDescription)", text)
        }
        let manyKeys = "{" + (0..<20_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        add("20,000 unknown keys", manyKeys)
        add("a 900 KB name", #"{"name":""# + String(repeating: "x", count: 900_000) + #""}"#)
        add("a wide array", "[" + Array(repeating: "1", count: 200_000).joined(separator: ",") + "]")
        for (name, bytes) in [
            ("0xFF", [0xFF] as [UInt8]), ("overlong slash", [0xC0, 0xAF]), ("encoded surrogate", [0xED, 0xA0, 0x80]),
            ("truncated sequence", [0xE2, 0x82]), ("lone continuation", [0x80]),
            ("five-byte form", [0xF8, 0x88, 0x80, 0x80, 0x80]),
            ("past U+10FFFF", [0xF4, 0x90, 0x80, 0x80]), ("NUL", [0x00]), ("DEL and controls", [0x7F, 0x01, 0x1B]),
        ] {
            bodies.append(
                ("invalid UTF-8 in a string: \(name)", Array(#"{"name":"a"#.utf8) + bytes + Array(#"b"}"#.utf8)))
            bodies.append(("invalid UTF-8 outside strings: \(name)", Array(#"{"name":"a"}"#.utf8) + bytes))
        }
        return bodies
    }

    static func jsonBodies(token: String) -> [HostileCase] {
        var cases: [HostileCase] = []
        let targets: [(String, String, String)] = [
            ("POST", "/v1/values", "application/json"), ("PATCH", "/v1/values/v1", "application/merge-patch+json"),
            ("PATCH", "/v1/profile", "application/json"), ("POST", "/v1/batch", "application/json"),
            ("POST", "/v1/import", "application/json"), ("POST", "/v1/sync/changes", "application/json"),
        ]
        for (i, (name, body)) in badJSON().enumerated() {
            // Every body on the create route; every third on each of the others.
            for (t, (method, target, type)) in targets.enumerated() where t == 0 || i % 3 == t % 3 {
                cases.append(
                    HostileCase(
                        name: "\(method) \(target) with \(name)",
                        bytes: request(method, target, body: body, contentType: type, token: token)))
            }
        }
        // Valid JSON, hostile shapes.
        let shapes: [(String, String, String)] = [
            ("POST", "/v1/batch", #"{"operations":[{"method":"POST","path":"/v1/../v1/values","body":{"name":"x"}}]}"#),
            ("POST", "/v1/batch", #"{"operations":[{"method":"DELETE","path":"/v1/values/../../x"}]}"#),
            ("POST", "/v1/batch", #"{"operations":[{"method":"GET","path":"/v1/values"}]}"#),
            ("POST", "/v1/batch", #"{"operations":[{"method":"POST","path":"/v1/batch","body":{"operations":[]}}]}"#),
            ("POST", "/v1/batch", #"{"operations":[]}"#),
            (
                "POST", "/v1/batch",
                "{\"operations\":["
                    + Array(repeating: #"{"method":"POST","path":"/v1/values","body":{"name":"x"}}"#, count: 5000)
                    .joined(separator: ",") + "]}"
            ),
            ("POST", "/v1/sync/changes", #"{"node_id":"zz","protocol":1,"changes":[]}"#),
            ("POST", "/v1/sync/changes", #"{"node_id":"00000000000000000000000000000001","protocol":99,"changes":[]}"#),
            (
                "POST", "/v1/sync/changes",
                #"{"node_id":"00000000000000000000000000000001","protocol":1,"changes":[{"collection":"values","id":"x","field":"name","value":"v","cl":-1,"hlc":"ffffffffffffffff","node":"00000000000000000000000000000001"}]}"#
            ),
            (
                "POST", "/v1/sync/changes",
                #"{"node_id":"00000000000000000000000000000001","protocol":1,"changes":[{"collection":"../x","id":"x","field":"name","value":"v","cl":1,"hlc":"0000000000000001","node":"00000000000000000000000000000001"}]}"#
            ),
            ("POST", "/v1/import", #"{"format":"jobprep-export/1","collections":{"values":[{"id":"x"}]}}"#),
            ("POST", "/v1/import", #"{"format":"jobprep-export/999","collections":{}}"#),
            ("POST", "/v1/import", #"{"format":"jobprep-export/1","collections":{"nope":[]}}"#),
        ]
        for (method, target, body) in shapes {
            cases.append(
                HostileCase(
                    name: "\(method) \(target) with \(body.prefix(60))",
                    bytes: request(
                        method, target, body: Array(body.utf8), contentType: "application/json", token: token)))
        }
        return cases
    }

    // MARK: Paths

    static func paths(token: String) -> [HostileCase] {
        let paths = [
            "/v1/../etc/passwd", "/v1/values/../../etc/passwd", "/v1/values/..%2F..%2Fetc%2Fpasswd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/v1/values/%2e%2e", "/v1/values/.", "/v1/values/..", "/v1//values", "//v1/values", "/v1/values/",
            "/v1/values//",
            "/v1/values/a/b/c", "/v1\\values", "/v1/values/%5C..%5C", "/v1/values/%00", "/v1/values%00/x",
            "/v1/values%00",
            "/%00", "/v1/values/%FF", "/v1/values/%C0%AF", "/v1/values/%ED%A0%80", "/v1/values/%F4%90%80%80",
            "/v1/values/%E2%82", "/v1/val%75es%2F", "/v1/values/" + String(repeating: "i", count: 129),
            "/v1/values/" + String(repeating: "%41", count: 2000), "/v1/VALUES", "/V1/values", "/v1/values;x=1",
            "/v1/values/v1;jsessionid=1", "/v1/profile/x", "/v1/sync", "/v1/sync/changes/x",
            "/v1/opportunities/x/briefing/y",
            "/v1/opportunities/%00/briefing", "/v1/values/v1/history/x", "/v1/values/nope/history", "/v1/nothing",
            "/healthz/x", "/openapi.yaml/../metrics", "/v1/values/\u{0301}", "/v1/values/%E2%80%AE", "/v1/values/a%0Ab",
            "/v1/values/%1B[31m", "/.env", "/../../../../etc/shadow", "/v1/export/../../../etc", "/v1/values/%25%30%30",
            "/v1/opportunities/nope/briefing",
        ]
        var cases: [HostileCase] = []
        for path in paths {
            cases.append(HostileCase(name: "GET \(path.prefix(50))", bytes: request("GET", path, token: token)))
            cases.append(
                HostileCase(
                    name: "DELETE \(path.prefix(50))", bytes: request("DELETE", path, token: token)))
        }
        // Raw (not percent-encoded) bytes that are not ASCII.
        for bytes in [[0xFF], [0xC3, 0xA9], [0x80], [0xE2, 0x80, 0xAE]] as [[UInt8]] {
            cases.append(
                HostileCase(
                    name: "raw bytes \(bytes) in the path",
                    bytes: Array("GET /v1/values/".utf8) + bytes
                        + Array(" HTTP/1.1\r\n\(host)Authorization: Bearer \(token)\r\n\r\n".utf8)))
        }
        return cases
    }

    // MARK: Queries

    static func queries(token: String) -> [HostileCase] {
        func base64(_ text: String) -> String { Base64URL.encode(Array(text.utf8)) }
        let cursors = [
            "garbage!", "", "%00", "%FF", "====", "a", String(repeating: "A", count: 5000), base64("not json"),
            base64("[]"),
            base64("{}"), base64(#"{"s":"created_at","v":{"deep":[1]},"i":"x"}"#),
            base64(#"{"s":"rank","v":1,"i":"x"}"#),
            base64(#"{"s":"created_at","v":1,"i":7}"#), base64(#"{"s":1,"v":1,"i":"x"}"#),
            base64(String(repeating: "[", count: 1000)), base64(#"{"s":"created_at","v":"x","i":"x","s":"y"}"#),
        ]
        var items: [String] = cursors.map { "cursor=\($0)" }
        items += [
            "limit=0", "limit=-1", "limit=501", "limit=1e2", "limit=", "limit=99999999999999999999", "limit=1&limit=2",
            "limit=%FF", "limit=5%00", "sort=nope", "sort=-", "sort=--rank", "sort=", "sort=rank;drop", "sort=%00",
            "rank=high", "rank=1e400", "rank=-1e400", "rank=NaN", "rank=-1", "rank=1000001", "rank=1.5", "rank=0x10",
            "name=%FF", "name=%00", "name=a%00b", "name=" + String(repeating: "n", count: 300), "name=%C0%AF",
            "unknown=1", "=x", "&&&", "%zz=1", "a=%", "builtin", "created_at=yesterday", "id=%00", "version=x",
            "builtin=maybe",
        ]
        var cases: [HostileCase] = []
        for item in items {
            cases.append(
                HostileCase(
                    name: "GET /v1/values?\(item.prefix(50))", bytes: request("GET", "/v1/values?\(item)", token: token)
                ))
        }
        for item in ["builtin=maybe", "category=nope", "cursor=garbage", "limit=0", "builtin=%FF"] {
            cases.append(
                HostileCase(
                    name: "GET /v1/questions?\(item)", bytes: request("GET", "/v1/questions?\(item)", token: token)))
        }
        for item in [
            "since=-1", "since=abc", "since=99999999999999999999999", "limit=0", "limit=100000", "wait=-1",
            "wait=99999",
            "wait=abc", "node_id=zz", "protocol=999", "schema=nope", "since=%00", "since=1&since=2",
        ] {
            cases.append(
                HostileCase(
                    name: "GET /v1/sync/changes?\(item)",
                    bytes: request("GET", "/v1/sync/changes?\(item)", token: token)))
        }
        for item in ["q=%00", "q=%FF", "limit=0", "limit=x", "cursor=garbage", "q=a&q=b", "nope=1"] {
            cases.append(
                HostileCase(name: "GET /v1/search?\(item)", bytes: request("GET", "/v1/search?\(item)", token: token)))
        }
        for item in ["since=-5", "since=x", "nope=1"] {
            cases.append(
                HostileCase(name: "GET /v1/events?\(item)", bytes: request("GET", "/v1/events?\(item)", token: token)))
        }
        cases.append(
            HostileCase(
                name: "GET /v1/values/v1 with a query", bytes: request("GET", "/v1/values/v1?x=1", token: token)))
        cases.append(HostileCase(name: "GET /v1/export?%FF", bytes: request("GET", "/v1/export?%FF=1", token: token)))
        return cases
    }

    // MARK: Headers

    static func headers(token: String) -> [HostileCase] {
        var cases: [HostileCase] = []
        let authorizations = [
            "Bearer", "Bearer ", "Bearer  ", "Basic Zm9vOmJhcg==", "bearer",
            "Bearer \(String(repeating: "t", count: 10_000))",
            "Bearer \u{0}", "Bearer \(token)x", "Bearer x\(token)", "Bearer \(token.dropLast())", "Token \(token)",
            "Bearer \(token) \(token)", "Digest username=x", "Bearer ../../token", "Bearer %00", "\u{1}Bearer x",
        ]
        for (i, value) in authorizations.enumerated() {
            cases.append(
                HostileCase(
                    name: "Authorization \(i): \(value.prefix(20).debugDescription)",
                    bytes: request("GET", "/v1/values", headers: ["Authorization: \(value)"], token: nil)))
        }
        for bytes in [[0xFF, 0xFE], [0x80], [0xC0, 0xAF]] as [[UInt8]] {
            cases.append(
                HostileCase(
                    name: "Authorization with raw bytes \(bytes)",
                    bytes: Array("GET /v1/values HTTP/1.1\r\n\(host)Authorization: Bearer ".utf8) + bytes
                        + Array("\r\n\r\n".utf8)))
        }
        cases.append(
            HostileCase(
                name: "a NUL cutting the token short",
                bytes: Array("GET /v1/values HTTP/1.1\r\n\(host)Authorization: Bearer x".utf8) + [0]
                    + Array("\(token)\r\n\r\n".utf8)))
        let ifMatches = [
            "\"", "W/", "W/\"x\"", "W/\"*\"", "\"\"", "nope", "\"\u{1}\"", String(repeating: "\"a\",", count: 5000),
            ",,,", "W/*",
        ]
        for (i, value) in ifMatches.enumerated() {
            let body = Array(#"{"name":"changed"}"#.utf8)
            cases.append(
                HostileCase(
                    name: "If-Match \(i): \(value.prefix(20).debugDescription) on PATCH",
                    bytes: request(
                        "PATCH", "/v1/values/v1", headers: ["If-Match: \(value)"], body: body,
                        contentType: "application/merge-patch+json", token: token)))
            cases.append(
                HostileCase(
                    name: "If-Match \(i): \(value.prefix(20).debugDescription) on DELETE",
                    bytes: request("DELETE", "/v1/values/v1", headers: ["If-Match: \(value)"], token: token)))
        }
        let contentTypes = [
            "text/plain", "application/xml", "application/json; charset=latin1", "application/json; charset=\"utf-16\"",
            "application", "/", ";;;", "application/json\u{1}", String(repeating: "a", count: 5000),
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
        ]
        for value in contentTypes {
            cases.append(
                HostileCase(
                    name: "Content-Type \(value.prefix(30).debugDescription)",
                    bytes: request(
                        "POST", "/v1/values", body: Array(#"{"name":"x"}"#.utf8), contentType: value, token: token)))
        }
        for value in ["", " ", "\u{7F}", String(repeating: "k", count: 256), "é", "a b"] {
            cases.append(
                HostileCase(
                    name: "Idempotency-Key \(value.prefix(20).debugDescription)",
                    bytes: request(
                        "POST", "/v1/values", headers: ["Idempotency-Key: \(value)"],
                        body: Array(#"{"name":"x"}"#.utf8),
                        contentType: "application/json", token: token)))
        }
        for value in ["-1", "abc", "99999999999999999999999", "%00", "1 2"] {
            cases.append(
                HostileCase(
                    name: "Last-Event-ID \(value.debugDescription)",
                    bytes: request("GET", "/v1/events", headers: ["Last-Event-ID: \(value)"], token: token)))
        }
        for host in [
            "evil.example", "evil.example:80", "localhost.evil.example", "127.0.0.1.nip.io", "[::1]evil",
            "localhost:80@evil",
            "LOCALHOST.", "xn--localhost", "evil.example\tlocalhost", "%6cocalhost", "0x7f000001.evil",
        ] {
            cases.append(
                HostileCase(
                    name: "Host \(host.debugDescription)",
                    bytes: Array(
                        "GET /v1/values HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8)))
        }
        for origin in ["https://evil.example", "null", "http://localhost.evil", "\u{1}"] {
            cases.append(
                HostileCase(
                    name: "CORS preflight from \(origin.debugDescription)",
                    bytes: request(
                        "OPTIONS", "/v1/values",
                        headers: ["Origin: \(origin)", "Access-Control-Request-Method: DELETE"], token: nil)))
        }
        cases.append(
            HostileCase(
                name: "Accept: text/markdown on a briefing that does not exist",
                bytes: request(
                    "GET", "/v1/opportunities/nope/briefing", headers: ["Accept: text/markdown;q=\u{1}"], token: token))
        )
        return cases
    }
}

@Suite struct HostileInputTests {
    /// The outcome of one raw request: a status, or the connection closing without an answer.
    private static func send(_ hostile: HostileCase, port: UInt16) throws -> Int? {
        let client = try HTTPTestClient(port: port, timeout: .seconds(10))
        defer { client.abort() }
        client.sendRawTolerantly(hostile.bytes)
        do {
            let response = try client.readResponse()
            if hostile.libmicrohttpd500 {
                #expect(response.status == 500 && response.header("Content-Type") != "application/problem+json")
                #expect(response.text.contains("libmicrohttpd") && response.header("Connection") == "close")
                return 400  // counted as refused: the library answered, the daemon never saw it
            }
            return response.status
        } catch HTTPTestClientError.closed(_) where client.receivedByteCount == 0 {
            return nil
        } catch HTTPTestClientError.system(_, let code) where code == ECONNRESET && client.receivedByteCount == 0 {
            return nil
        }
    }

    @Test func everyHostileRequestIsRefusedWithA4xx() throws {
        let daemon = try TestDaemon { $0.api.corsOrigins = ["https://app.example"] }
        try daemon.client().create("values", ["id": "v1", "name": "One"])
        let cases = HostileCases.all(token: daemon.token)
        var statuses: [String: Int] = [:]
        for hostile in cases {
            let status: Int?
            do {
                status = try Self.send(hostile, port: daemon.port)
            } catch {
                Issue.record("\(hostile): \(error)")
                continue
            }
            statuses[status.map(String.init) ?? "closed", default: 0] += 1
            if let status {
                let allowed = (400..<500).contains(status) || (hostile.allows505 && status == 505)
                #expect(allowed, "\(hostile): \(status)")
            }
        }
        // Still healthy, no server error on the books, and the record the cases aimed at is intact.
        let client = try daemon.client()
        #expect(try client.get("/healthz").status == 200)
        let metrics = try client.get("/metrics").text
        #expect(
            !metrics.contains("status=\"5"), "\(metrics.split(separator: "\n").filter { $0.contains("status=\"5") })")
        #expect(try client.get("/v1/values/v1").object()["name"] == "One")
        #expect(try client.all("values").count == 1)
        print("hostile input: \(cases.count) cases, outcomes \(statuses.sorted { $0.key < $1.key })")
        #expect(cases.count >= 300)
    }

    @Test func madeUpMethodsCannotGrowTheMetricsAndControlCharactersCannotForgeLogLines() throws {
        let daemon = try TestDaemon()
        for n in 0..<200 {
            let client = try HTTPTestClient(port: daemon.port)
            try client.sendRaw(Array("M\(n)X /v1/values HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
            #expect(try client.readResponse().status == 405)
        }
        let metrics = try daemon.client().get("/metrics").text
        #expect(metrics.contains("method=\"OTHER\",status=\"405\"} 200"))
        #expect(!metrics.contains("M7X"))
        #expect(Exchange.printable("/v1/values/a\nINFO forged") == "/v1/values/a\\u{a}INFO forged")
        #expect(Exchange.printable("\u{1B}[31mred") == "\\u{1b}[31mred")
        #expect(Exchange.printable(String(repeating: "x", count: 500)).count == 201)
    }
}
