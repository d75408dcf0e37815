import CMicroHTTPD
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the HTTP layer refuses before a handler sees a request: targets and headers that cannot mean anything to
/// this server and that code further in would otherwise read wrongly.
///
/// - An encoded NUL (`%00`) would cut the path short at the C string libmicrohttpd hands over
///   (`/v1/values%00/x` would be read as `/v1/values`); ``MHDCallbacks/unescape`` decodes it to 0xFF instead, a
///   byte that never occurs in UTF-8, so that the target fails the check below.
/// - A path or query that is not UTF-8 would be read with replacement characters and match something else.
/// - A NUL in a header value (RFC 9110 §5.5 says to refuse it).
/// - HTTP/1.1 without exactly one `Host` (RFC 9112 §3.2): the DNS-rebinding guard reads that header.
enum RequestCheck {
    /// More query items than any route takes, with a wide margin.
    static let maxQueryItems = 256

    /// The `&`-separated items of a raw query string (a C string), counting at most one past `maxQueryItems`.
    static func countQueryItems(_ query: UnsafePointer<CChar>) -> Int {
        guard query.pointee != 0 else { return 0 }
        var count = 1
        var p = query
        while p.pointee != 0, count <= maxQueryItems {
            if p.pointee == 0x26 { count += 1 }
            p += 1
        }
        return count
    }

    /// Why a request with these headers is refused before its body is read (400, connection closed), or nil:
    /// a `Transfer-Encoding` other than `chunked` gives a body of unknown length (RFC 9112 §6.1), and with
    /// `Content-Length` as well it is how requests are smuggled past proxies.
    static func framingRefusal(transferEncoding: String?, hasContentLength: Bool) -> String? {
        guard let transferEncoding else { return nil }
        guard transferEncoding.trimmingCharacters(in: .whitespaces).lowercased() == "chunked" else {
            return
                "Transfer-Encoding \(transferEncoding.debugDescription) is not supported; send chunked or Content-Length"
        }
        if hasContentLength { return "send Content-Length or Transfer-Encoding: chunked, not both" }
        return nil
    }

    /// Why the request is refused (answered 400), or nil.
    static func refusal(
        path: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?, headers: HeaderCollector, query: QueryCollector
    ) -> String? {
        if let path, !isText(UnsafeRawBufferPointer(start: path, count: strlen(path))) {
            return "the request path is not valid UTF-8 or holds an encoded NUL (%00)"
        }
        if query.malformed { return "the query string is not valid UTF-8 or holds a NUL" }
        if headers.malformed { return "a header value holds a NUL byte" }
        let hosts = headers.fields.count { $0.name.equalsIgnoringASCIICase("host") }
        if hosts > 1 { return "the request has \(hosts) Host headers; send one" }
        if hosts == 0, let version, strcmp(version, "HTTP/1.1") == 0 {
            return "an HTTP/1.1 request must have a Host header"
        }
        return nil
    }

    /// Valid UTF-8 without NUL.
    static func isText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !bytes.contains(0) && String(validating: bytes, as: UTF8.self) != nil
    }
}

/// The headers of a request as libmicrohttpd's iterator hands them over; the `cls` of ``MHDCallbacks/collectHeader``.
struct HeaderCollector {
    var fields: [HTTPHeaders.Field] = []
    /// Some value holds a NUL byte.
    var malformed = false
}

/// The query items of a request; the `cls` of ``MHDCallbacks/collectQueryItem``.
struct QueryCollector {
    var items: [QueryItem] = []
    /// Some name or value is not UTF-8 or holds a NUL.
    var malformed = false
}

/// `void *(*)(void *cls, const char *uri, struct MHD_Connection *con)`, the type `MHD_OPTION_URI_LOG_CALLBACK` takes.
typealias MHDURILogCallback =
    @convention(c) (
        UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?
    ) -> UnsafeMutableRawPointer?

/// `size_t (*)(void *cls, struct MHD_Connection *c, char *s)`, the type `MHD_OPTION_UNESCAPE_CALLBACK` takes.
typealias MHDUnescapeCallback =
    @convention(c) (
        UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<CChar>?
    ) -> Int

extension MHDCallbacks {
    /// Percent-decodes the path and each query name and value in place (`MHD_OPTION_UNESCAPE_CALLBACK`), as
    /// libmicrohttpd's own `MHD_http_unescape` does (a `%` not followed by two hex digits stays as it is; libmicrohttpd
    /// has already turned `+` into a space in the query), except that `%00` becomes 0xFF: see ``RequestCheck``.
    static let unescape: MHDUnescapeCallback = { _, _, string in
        guard let string else { return 0 }
        var read = 0
        var write = 0
        while string[read] != 0 {
            // string[read + 1] is at most the terminator; string[read + 2] is read only when it is not.
            if string[read] == 0x25, let high = hexValue(string[read + 1]), let low = hexValue(string[read + 2]) {
                let byte = high << 4 | low
                string[write] = CChar(bitPattern: byte == 0 ? 0xFF : byte)
                read += 3
            } else {
                string[write] = string[read]
                read += 1
            }
            write += 1
        }
        string[write] = 0
        return write
    }

    private static func hexValue(_ char: CChar) -> UInt8? {
        let c = UInt8(bitPattern: char)
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
