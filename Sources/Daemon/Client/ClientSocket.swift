import CGnuTLS
import Foundation

/// A connected stream to a peer: plain TCP, or TLS through GnuTLS with the peer's certificate
/// verified against the system's trust store or a given CA file.
final class ClientSocket {
    private var fd: Int32
    private var session: gnutls_session_t?
    private var credentials: gnutls_certificate_credentials_t?
    /// The host name the session verifies the certificate against: GnuTLS keeps the pointer, not a copy, so it
    /// must outlive the session (`gnutls_session_set_verify_cert`).
    private var verifiedHost: UnsafeMutablePointer<CChar>?

    init(_ address: PeerAddress, caFile: String?, timeoutSeconds: Int) throws {
        fd = try Self.connect(address.host, address.port)
        setTimeout(seconds: timeoutSeconds)
        if address.secure {
            do {
                try startTLS(host: address.host, caFile: caFile)
            } catch {
                close()
                throw error
            }
        }
    }

    deinit { close() }

    var descriptor: Int32 { fd }

    func setTimeout(seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                let base = buffer.baseAddress! + offset
                if let session { return gnutls_record_send(session, base, bytes.count - offset) }
                return send(fd, base, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if session == nil, errno == EINTR { continue }
                if let session, n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN { _ = session; continue }
                throw PeerError.connection("cannot send to the peer: \(errorText(n))")
            }
            offset += n
        }
    }

    /// Reads some bytes; an empty result means the peer closed the connection.
    func read(max: Int = 65536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                if let session { return gnutls_record_recv(session, raw.baseAddress, max) }
                return recv(fd, raw.baseAddress, max, 0)
            }
            if n >= 0 { return Array(buffer[0..<n]) }
            if session == nil, errno == EINTR { continue }
            if session != nil, n == GNUTLS_E_INTERRUPTED { continue }
            if session != nil, n == GNUTLS_E_PREMATURE_TERMINATION { return [] }
            if (session == nil && (errno == EAGAIN || errno == EWOULDBLOCK)) || (session != nil && n == GNUTLS_E_AGAIN) {
                throw PeerError.connection("the peer did not answer in time")
            }
            throw PeerError.connection("cannot read from the peer: \(errorText(n))")
        }
    }

    func close() {
        if let session {
            gnutls_bye(session, GNUTLS_SHUT_WR)
            gnutls_deinit(session)
            self.session = nil
        }
        if let credentials {
            gnutls_certificate_free_credentials(credentials)
            self.credentials = nil
        }
        free(verifiedHost)
        verifiedHost = nil
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    private func errorText(_ code: Int) -> String {
        if session != nil { return String(cString: gnutls_strerror(Int32(code))) }
        return String(cString: strerror(errno))
    }

    private static func connect(_ host: String, _ port: UInt16) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw PeerError.connection("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    return fd
                }
                lastError = String(cString: strerror(errno))
                Glibc.close(fd)
            }
            candidate = info.pointee.ai_next
        }
        throw PeerError.connection("cannot connect to \(host):\(port): \(lastError)")
    }

    /// TLS 1.2+ with the default priorities, SNI, and verification of the certificate chain and host
    /// name ([GnuTLS client example](https://www.gnutls.org/manual/html_node/Simple-client-example-with-X_002e509-certificate-support.html)).
    private func startTLS(host: String, caFile: String?) throws {
        var credentials: gnutls_certificate_credentials_t?
        try check(gnutls_certificate_allocate_credentials(&credentials), "allocating credentials")
        self.credentials = credentials
        if let caFile {
            let loaded = gnutls_certificate_set_x509_trust_file(credentials, caFile, GNUTLS_X509_FMT_PEM)
            if loaded <= 0 {
                throw PeerError.tls("cannot load CA certificates from \(caFile)" + (loaded < 0 ? ": \(String(cString: gnutls_strerror(loaded)))" : ""))
            }
        } else {
            _ = gnutls_certificate_set_x509_system_trust(credentials)
        }
        var session: gnutls_session_t?
        try check(gnutls_init(&session, UInt32(GNUTLS_CLIENT)), "starting TLS")
        self.session = session
        try check(gnutls_set_default_priority(session), "setting TLS priorities")
        try check(gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(credentials)), "setting credentials")
        if ClientSocket.isIPAddress(host) == false {
            _ = host.withCString { gnutls_server_name_set(session, GNUTLS_NAME_DNS, $0, strlen($0)) }
        }
        // Not `host` itself: Swift's temporary C string would be freed when the call returns, and the handshake
        // reads it later (AddressSanitizer: heap-use-after-free in gnutls_x509_trust_list_verify_crt2).
        verifiedHost = strdup(host)
        gnutls_session_set_verify_cert(session, verifiedHost, 0)
        gnutls_transport_set_int2(session, fd, fd)
        gnutls_handshake_set_timeout(session, 10_000)
        var result: Int32
        repeat {
            result = gnutls_handshake(session)
        } while result < 0 && gnutls_error_is_fatal(result) == 0
        if result < 0 {
            var detail = String(cString: gnutls_strerror(result))
            if result == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR {
                let status = gnutls_session_get_verify_cert_status(session)
                var text = gnutls_datum_t()
                if gnutls_certificate_verification_status_print(status, gnutls_certificate_type_get(session), &text, 0) == 0 {
                    detail = String(cString: text.data)
                    free(text.data)  // gnutls_free is free unless an application replaced the allocators
                }
                detail += caFile == nil ? " (for a self-signed peer, pass its CA with --ca)" : ""
            }
            throw PeerError.tls("TLS handshake with \(host) failed: \(detail)")
        }
    }

    private func check(_ code: Int32, _ what: String) throws {
        if code < 0 { throw PeerError.tls("\(what): \(String(cString: gnutls_strerror(code)))") }
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
