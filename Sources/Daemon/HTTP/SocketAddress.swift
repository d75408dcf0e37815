#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A client address kept as bytes and formatted only when a handler asks for it.
enum RemoteAddress: Sendable, CustomStringConvertible {
    /// IPv4 address in network byte order, port in host byte order.
    case ipv4(address: UInt32, port: UInt16)
    /// IPv6 address bytes in network order, port in host byte order.
    case ipv6(high: UInt64, low: UInt64, port: UInt16)
    case text(String)

    init(_ address: UnsafePointer<sockaddr>?) {
        guard let address else {
            self = .text("")
            return
        }
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            self = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                .ipv4(address: $0.pointee.sin_addr.s_addr, port: UInt16(bigEndian: $0.pointee.sin_port))
            }
        case AF_INET6:
            self = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                var bytes = sin6.pointee.sin6_addr
                let (high, low) = withUnsafeBytes(of: &bytes) {
                    (
                        $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                        $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                    )
                }
                return .ipv6(high: high, low: low, port: UInt16(bigEndian: sin6.pointee.sin6_port))
            }
        default:
            self = .text("")
        }
    }

    var description: String {
        switch self {
        case .ipv4(let address, let port):
            // s_addr is in network order: its first byte in memory is the first octet.
            var parts = ""
            withUnsafeBytes(of: address) { octets in
                parts = "\(octets[0]).\(octets[1]).\(octets[2]).\(octets[3])"
            }
            return "\(parts):\(port)"
        case .ipv6(let high, let low, let port):
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) {
                $0.storeBytes(of: high, toByteOffset: 0, as: UInt64.self)
                $0.storeBytes(of: low, toByteOffset: 8, as: UInt64.self)
            }
            return "[\(BindAddress.format(family: AF_INET6, address: &address))]:\(port)"
        case .text(let text):
            return text
        }
    }
}

/// The address the server binds, parsed from the configured host literal and port.
enum BindAddress {
    case ipv4(sockaddr_in)
    case ipv6(sockaddr_in6)

    init(host: String, port: UInt16) throws(HTTPServerError) {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = v4
            self = .ipv4(address)
            return
        }
        var v6 = in6_addr()
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = v6
            self = .ipv6(address)
            return
        }
        throw HTTPServerError(
            .invalidAddress,
            "cannot listen on \(host):\(port): not an IPv4 or IPv6 address literal"
        )
    }

    var isIPv6: Bool {
        if case .ipv6 = self { return true }
        return false
    }

    /// "127.0.0.1:8787" or "[::1]:8787", for messages.
    var description: String {
        switch self {
        case .ipv4(var address):
            return "\(Self.format(family: AF_INET, address: &address.sin_addr)):\(UInt16(bigEndian: address.sin_port))"
        case .ipv6(var address):
            let host = Self.format(family: AF_INET6, address: &address.sin6_addr)
            return "[\(host)]:\(UInt16(bigEndian: address.sin6_port))"
        }
    }

    /// Calls `body` with the address as a `sockaddr` (valid only inside `body`).
    func withSockaddr<R>(_ body: (UnsafeMutablePointer<sockaddr>, socklen_t) -> R) -> R {
        switch self {
        case .ipv4(var address):
            return withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6(var address):
            return withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    /// Binds a throwaway socket the way libmicrohttpd will, to turn a failure into a clear error: libmicrohttpd
    /// only returns NULL from `MHD_start_daemon` and does not promise a meaningful `errno`.
    func checkCanBind() throws(HTTPServerError) {
        let family = isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw HTTPServerError(.cannotListen, "cannot listen on \(description): \(Self.errnoText(errno))")
        }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if isIPv6 {
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = withSockaddr { bind(fd, $0, $1) }
        guard result == 0 else {
            let code = errno
            let kind: HTTPServerError.Code
            switch code {
            case EADDRINUSE: kind = .addressInUse
            case EADDRNOTAVAIL: kind = .invalidAddress
            case EACCES, EPERM: kind = .permissionDenied
            default: kind = .cannotListen
            }
            throw HTTPServerError(kind, "cannot listen on \(description): \(Self.errnoText(code))")
        }
    }

    static func format(family: Int32, address: UnsafeRawPointer) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// strerror's text in lower case ("address in use" rather than "Address already in use" for the common case).
    static func errnoText(_ code: Int32) -> String {
        switch code {
        case EADDRINUSE: return "address in use"
        case EADDRNOTAVAIL: return "address not available on this machine"
        case EACCES, EPERM: return "permission denied"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}
