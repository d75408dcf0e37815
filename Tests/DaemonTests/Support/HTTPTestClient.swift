#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking HTTP/1.1 client over a raw TCP socket, for integration tests.
///
/// One client is one connection: requests sent one after the other reuse it (keep-alive). Every read waits at most
/// `timeout`, so a test never hangs; failures throw ``HTTPTestClientError`` saying what was expected. Raw access
/// (``sendRaw(_:)``, ``readAvailable(for:)``) is there for hostile-input tests, and ``readHead()`` plus
/// ``readChunk()`` read a chunked response piece by piece (Server-Sent Events).
final class HTTPTestClient {
    let host: String
    let port: UInt16
    var timeout: Duration
    private var fd: Int32
    /// Bytes received but not consumed yet start at `bufferStart`.
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private(set) var peerClosed = false
    /// Bytes received on this connection so far, consumed or not: tells a response cut short from none at all.
    private(set) var receivedByteCount = 0

    /// Connects to `host` (an IPv4 or IPv6 literal) on `port`.
    init(port: UInt16, host: String = "127.0.0.1", timeout: Duration = .seconds(10)) throws {
        self.host = host
        self.port = port
        self.timeout = timeout
        let isIPv6 = host.contains(":")
        fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestClientError.system("socket", errno) }
        var result: Int32 = -1
        var parsed = false
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            parsed = inet_pton(AF_INET6, host, &address.sin6_addr) == 1
            if parsed { result = Self.connect(fd, &address) }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            parsed = inet_pton(AF_INET, host, &address.sin_addr) == 1
            if parsed { result = Self.connect(fd, &address) }
        }
        guard parsed else {
            Glibc.close(fd)
            throw HTTPTestClientError.malformed("not an IP address literal: \(host)")
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw HTTPTestClientError.system("connect to \(host) port \(port)", code)
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func connect<Address>(_ fd: Int32, _ address: inout Address) -> Int32 {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size))
            }
        }
    }

    deinit {
        close()
    }

    /// Closes the connection (idempotent).
    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Closes with a reset (SO_LINGER 0) instead of an orderly FIN, like a crashed client.
    func abort() {
        guard fd >= 0 else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    // MARK: Requests

    /// Sends a request and reads its response.
    func request(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        chunked: Bool = false
    ) throws -> TestResponse {
        try send(method, target, headers: headers, body: body, chunked: chunked)
        return try readResponse(method: method)
    }

    /// Sends a request without reading the answer. `Host` is added unless given; `Content-Length` is added when
    /// there is a body (or `Transfer-Encoding: chunked` with `chunked`, the body then going in chunks of 64 KiB).
    func send(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        chunked: Bool = false
    ) throws {
        try sendRaw(Self.encode(method, target, headers: headers, body: body, chunked: chunked))
    }

    static func encode(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        chunked: Bool = false
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { head += "Host: localhost\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if chunked {
            head += "Transfer-Encoding: chunked\r\n"
        } else if !body.isEmpty, !headers.contains(where: { $0.0.lowercased() == "content-length" }) {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if chunked {
            var offset = 0
            while offset < body.count {
                let end = min(offset + 64 * 1024, body.count)
                bytes += Array("\(String(end - offset, radix: 16))\r\n".utf8)
                bytes += body[offset..<end]
                bytes += Array("\r\n".utf8)
                offset = end
            }
            bytes += Array("0\r\n\r\n".utf8)
        } else {
            bytes += body
        }
        return bytes
    }

    // MARK: Responses

    /// Reads one complete response: its head, then a body delimited by `Content-Length`, by chunked encoding, or by
    /// the end of the connection. `method` matters for HEAD, whose response has no body.
    func readResponse(method: String = "GET") throws -> TestResponse {
        var head = try readHead()
        if method == "HEAD" || head.status == 204 || head.status == 304 || (100..<200).contains(head.status) {
            return head
        }
        if head.isChunked {
            while let chunk = try readChunk() { head.body += chunk }
        } else if let length = head.header("Content-Length").flatMap(Int.init) {
            head.body = try readExactly(length, what: "a body of \(length) bytes")
        } else {
            head.body = try readToEnd()
        }
        return head
    }

    /// Reads a status line and headers (skipping interim 1xx responses), leaving the body unread.
    func readHead() throws -> TestResponse {
        while true {
            let statusLine = try readLine(what: "a status line")
            let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw HTTPTestClientError.malformed("bad status line \(statusLine.debugDescription)")
            }
            var headers: [(String, String)] = []
            while true {
                let line = try readLine(what: "a header line")
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else {
                    throw HTTPTestClientError.malformed("bad header line \(line.debugDescription)")
                }
                let name = String(line[..<colon])
                let value = line[line.index(after: colon)...].trimmingSpaces()
                headers.append((name, value))
            }
            if status == 100 { continue }
            return TestResponse(
                status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [])
        }
    }

    /// The next chunk of a chunked body, or nil after the last chunk (its trailers are consumed).
    func readChunk() throws -> [UInt8]? {
        let sizeLine = try readLine(what: "a chunk size")
        let hex = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        guard let size = Int(hex.trimmingSpaces(), radix: 16), size >= 0 else {
            throw HTTPTestClientError.malformed("bad chunk size line \(sizeLine.debugDescription)")
        }
        if size == 0 {
            while try !readLine(what: "the end of the trailers").isEmpty {}
            return nil
        }
        let data = try readExactly(size, what: "a chunk of \(size) bytes")
        guard try readLine(what: "the end of a chunk").isEmpty else {
            throw HTTPTestClientError.malformed("chunk of \(size) bytes not followed by CRLF")
        }
        return data
    }

    // MARK: Raw access

    /// Writes all of `bytes`; throws if the peer has gone (EPIPE, ECONNRESET) or the socket does not drain in time.
    func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        let deadline = ContinuousClock.now + timeout
        while offset < bytes.count {
            try wait(for: Int16(POLLOUT), until: deadline, what: "room to send")
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw HTTPTestClientError.system("send", errno)
            }
            offset += written
        }
    }

    /// Writes what it can of `bytes` and returns how many went out, stopping quietly when the peer has closed.
    @discardableResult
    func sendRawTolerantly(_ bytes: [UInt8]) -> Int {
        var offset = 0
        let deadline = ContinuousClock.now + timeout
        while offset < bytes.count {
            guard (try? wait(for: Int16(POLLOUT), until: deadline, what: "room to send")) != nil else { break }
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                break
            }
            offset += written
        }
        return offset
    }

    /// Whatever arrives within `duration` (less if the peer closes first), including bytes already buffered.
    func readAvailable(for duration: Duration) throws -> [UInt8] {
        let deadline = ContinuousClock.now + duration
        while !peerClosed {
            guard try fill(until: deadline, failOnTimeout: false) else { break }
        }
        return takeBuffered()
    }

    /// Reads until the peer closes the connection (within `timeout`).
    func readToEnd() throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        while !peerClosed {
            _ = try fill(until: deadline, failOnTimeout: true, what: "the end of the connection")
        }
        return takeBuffered()
    }

    /// True if the server closes (or resets) the connection within `duration`; data that arrives is dropped.
    func waitForClose(within duration: Duration) -> Bool {
        let deadline = ContinuousClock.now + duration
        while !peerClosed {
            do {
                guard try fill(until: deadline, failOnTimeout: false) else { return false }
            } catch {
                return true  // ECONNRESET and the like
            }
            _ = takeBuffered()
        }
        return true
    }

    // MARK: Buffering

    private func takeBuffered() -> [UInt8] {
        defer {
            buffer.removeAll(keepingCapacity: true)
            bufferStart = 0
        }
        return Array(buffer[bufferStart...])
    }

    private func readLine(what: String) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let newline = buffer[bufferStart...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > bufferStart, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[bufferStart..<end], as: UTF8.self)
                bufferStart = newline + 1
                compact()
                return line
            }
            if peerClosed {
                throw HTTPTestClientError.closed("connection closed while waiting for \(what)")
            }
            _ = try fill(until: deadline, failOnTimeout: true, what: what)
        }
    }

    private func readExactly(_ count: Int, what: String) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        while buffer.count - bufferStart < count {
            if peerClosed {
                throw HTTPTestClientError.closed(
                    "connection closed after \(buffer.count - bufferStart) bytes while waiting for \(what)")
            }
            _ = try fill(until: deadline, failOnTimeout: true, what: what)
        }
        let bytes = Array(buffer[bufferStart..<bufferStart + count])
        bufferStart += count
        compact()
        return bytes
    }

    private func compact() {
        if bufferStart == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            bufferStart = 0
        } else if bufferStart > 64 * 1024 {
            buffer.removeSubrange(0..<bufferStart)
            bufferStart = 0
        }
    }

    /// Receives once. Returns false on timeout when `failOnTimeout` is false; sets `peerClosed` on EOF.
    @discardableResult
    private func fill(until deadline: ContinuousClock.Instant, failOnTimeout: Bool, what: String = "data") throws
        -> Bool
    {
        do {
            try wait(for: Int16(POLLIN), until: deadline, what: what)
        } catch HTTPTestClientError.timeout where !failOnTimeout {
            return false
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if received < 0 {
            if errno == EINTR || errno == EAGAIN { return true }
            throw HTTPTestClientError.system("recv while waiting for \(what)", errno)
        }
        if received == 0 {
            peerClosed = true
        } else {
            buffer += chunk[0..<received]
            receivedByteCount += received
        }
        return true
    }

    private func wait(for events: Int16, until deadline: ContinuousClock.Instant, what: String) throws {
        guard fd >= 0 else { throw HTTPTestClientError.closed("the client was closed") }
        while true {
            let remaining = deadline - ContinuousClock.now
            let milliseconds = max(
                0,
                Int32(
                    remaining.components.seconds * 1000
                        + remaining.components.attoseconds / 1_000_000_000_000_000))
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { throw HTTPTestClientError.system("poll", errno) }
            throw HTTPTestClientError.timeout("no \(what) from \(host):\(port) within \(timeout)")
        }
    }
}

/// A response as read by ``HTTPTestClient``.
struct TestResponse {
    var status: Int
    var reason: String
    var headers: [(String, String)]
    var body: [UInt8]

    /// The first value of a header, compared case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    var isChunked: Bool {
        header("Transfer-Encoding")?.lowercased().contains("chunked") ?? false
    }
}

enum HTTPTestClientError: Error, CustomStringConvertible {
    case system(String, Int32)
    case timeout(String)
    case closed(String)
    case malformed(String)

    var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .timeout(let message), .closed(let message), .malformed(let message): message
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice.removeFirst() }
        while slice.last == " " || slice.last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
