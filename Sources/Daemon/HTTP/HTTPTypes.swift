/// One `name=value` pair of the query string, percent-decoded by libmicrohttpd ("+" becomes a space).
public struct QueryItem: Sendable, Hashable {
    public var name: String
    /// The empty string for a bare `?flag`.
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A complete request: headers, query and the whole body, copied out of libmicrohttpd so that it may travel to
/// other threads and outlive the connection.
public struct HTTPRequest: Sendable {
    /// The method as sent ("GET", "POST", ...).
    public let method: String
    /// The path, without the query string, percent-decoded by libmicrohttpd.
    public let path: String
    /// The query items in the order they were sent.
    public let query: [QueryItem]
    public let headers: HTTPHeaders
    public let body: [UInt8]
    let remote: RemoteAddress

    public init(
        method: String,
        path: String,
        query: [QueryItem] = [],
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        remoteAddress: String = ""
    ) {
        self.init(
            method: method, path: path, query: query, headers: headers, body: body,
            remote: .text(remoteAddress))
    }

    init(method: String, path: String, query: [QueryItem], headers: HTTPHeaders, body: [UInt8], remote: RemoteAddress) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remote = remote
    }

    /// The client as "ip:port" ("127.0.0.1:54321", "[::1]:54321"); formatted only when asked for.
    public var remoteAddress: String { remote.description }

    /// The first value of the named query item.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// What a handler answers.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Sent in order. libmicrohttpd adds `Content-Length` (or chunked `Transfer-Encoding`) and `Date` itself.
    public var headers: HTTPHeaders
    public var body: ResponseBody

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: ResponseBody = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), bytes: [UInt8]) {
        self.init(status: status, headers: headers, body: .bytes(bytes))
    }

    /// An RFC 9457 problem document (`application/problem+json`) for the few answers the HTTP layer
    /// gives by itself (400, 413, 500, 503), typed like the API's own problems.
    static func problem(
        status: Int, title: String, detail: String, headers: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/problem+json")
        let kind: String
        switch status {
        case 400: kind = "bad-request"
        case 413: kind = "payload-too-large"
        case 503: kind = "unavailable"
        default: kind = "internal"
        }
        let json =
            #"{"type":"urn:jobprep:problem:\#(kind)","title":"\#(title.jsonEscaped)","status":\#(status),"#
            + #""detail":"\#(detail.jsonEscaped)"}"#
        return HTTPResponse(status: status, headers: headers, bytes: Array(json.utf8))
    }
}

public enum ResponseBody: Sendable {
    /// A body known in full; sent with `Content-Length`.
    case bytes([UInt8])
    /// A body produced over time (Server-Sent Events, long exports); sent chunked.
    case stream(ResponseStream)
}

/// Answers requests. Implementations must be thread-safe: libmicrohttpd calls from several worker threads at once.
public protocol HTTPHandler: Sendable {
    /// Called once per complete request, on a libmicrohttpd worker thread.
    ///
    /// Answer with `responder.respond(_:)`, exactly once: right here (the fast path), or later from any thread,
    /// in which case the connection is suspended meanwhile and costs no thread. Do not block here for long: the
    /// worker serves many connections.
    func handle(_ request: HTTPRequest, _ responder: Responder)
}

extension String {
    /// The string as the inside of a JSON string literal.
    fileprivate var jsonEscaped: String {
        var escaped = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
