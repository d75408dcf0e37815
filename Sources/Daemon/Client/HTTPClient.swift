import Foundation
import Model

/// A response from a peer.
struct ClientResponse {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A small blocking HTTP/1.1 client with keep-alive, for talking to peers. One request at a time;
/// a dropped keep-alive connection is reopened once.
final class HTTPClient {
    let address: PeerAddress
    private let caFile: String?
    private let defaultTimeout: Int
    private var socket: ClientSocket?
    private var buffer: [UInt8] = []
    /// The connected descriptor, for ``interrupt()`` from another thread.
    private let connected = Locked<Int32>(-1)

    init(address: PeerAddress, caFile: String?, timeoutSeconds: Int = 30) {
        self.address = address
        self.caFile = caFile
        self.defaultTimeout = timeoutSeconds
    }

    func close() {
        connected.withLock { $0 = -1 }
        socket?.close()
        socket = nil
        buffer.removeAll()
    }

    /// Shuts the connection down under a blocked read or write, which then fails.
    func interrupt() {
        connected.withLock { fd in
            if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [],
        timeoutSeconds: Int? = nil
    ) throws -> ClientResponse {
        var head = "\(method) \(address.basePath)\(path) HTTP/1.1\r\nHost: \(address.hostHeader)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PATCH" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let message = Array(head.utf8) + body
        let timeout = timeoutSeconds ?? defaultTimeout
        let reused = socket != nil
        do {
            return try exchange(message, timeout: timeout)
        } catch let error as PeerError where reused {
            // A keep-alive connection the peer closed meanwhile: try once on a fresh one.
            close()
            if case .tls = error { throw error }
            return try exchange(message, timeout: timeout)
        }
    }

    private func exchange(_ message: [UInt8], timeout: Int) throws -> ClientResponse {
        if socket == nil {
            socket = try ClientSocket(address, caFile: caFile, timeoutSeconds: timeout)
            buffer.removeAll()
            let fd = socket!.descriptor
            connected.withLock { $0 = fd }
        }
        socket!.setTimeout(seconds: timeout)
        do {
            try socket!.write(message)
            let response = try readResponse()
            if response.header("Connection")?.lowercased() == "close" { close() }
            return response
        } catch {
            close()
            throw error
        }
    }

    private func readResponse() throws -> ClientResponse {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw PeerError.protocolError("the peer's answer is not HTTP: \(statusLine.prefix(80))")
        }
        var headers: [(String, String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let response = ClientResponse(status: status, headers: headers, body: [])
        var body: [UInt8] = []
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16)
                else { throw PeerError.protocolError("bad chunk size from the peer") }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                body += try readExactly(size)
                _ = try readLine()
            }
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            body = try readExactly(length)
        }
        return ClientResponse(status: status, headers: headers, body: body)
    }

    private func fill() throws {
        let more = try socket!.read()
        if more.isEmpty { throw PeerError.connection("the peer closed the connection") }
        buffer += more
    }

    private func readLine() throws -> String {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<end])
                if line.last == 0x0D { line.removeLast() }
                buffer.removeSubrange(...end)
                return String(decoding: line, as: UTF8.self)
            }
            if buffer.count > 64 * 1024 { throw PeerError.protocolError("a header line from the peer is too long") }
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let out = Array(buffer[..<count])
        buffer.removeSubrange(..<count)
        return out
    }
}
