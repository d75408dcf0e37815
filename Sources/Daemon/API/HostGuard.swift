import Foundation

/// Refuses requests whose `Host` is a name other than localhost or a configured one, so that a web
/// page whose DNS name was rebound to 127.0.0.1 cannot talk to the daemon from a browser.
/// IP literals are always accepted: a rebinding attack needs a name.
struct HostGuard: Sendable {
    let allowedNames: Set<String>

    init(allowedNames: [String]) {
        self.allowedNames = Set(["localhost"] + allowedNames.map { $0.lowercased() })
    }

    func allows(_ hostHeader: String?) -> Bool {
        guard let hostHeader else { return true }
        let host = Self.hostname(hostHeader).lowercased()
        if host.isEmpty { return false }
        if allowedNames.contains(host) || host.hasSuffix(".localhost") { return true }
        return Self.isIPLiteral(host)
    }

    /// The name part of a Host header: `[::1]:8787` → `::1`, `localhost:8787` → `localhost`; empty (refused) when
    /// the rest is not a port (`[::1]evil`, `localhost:80@evil`) or an IPv6 literal lacks its brackets.
    /// It scans bytes: searching by `Character` cost most of a GET's host check.
    static func hostname(_ header: String) -> String {
        let bytes = header.utf8
        let host: Substring.UTF8View
        var port: Substring.UTF8View = ""[...].utf8
        if bytes.first == UInt8(ascii: "[") {
            guard let end = bytes.firstIndex(of: UInt8(ascii: "]")) else { return "" }
            host = header[bytes.index(after: bytes.startIndex)..<end].utf8
            let rest = header[bytes.index(after: end)...].utf8
            if !rest.isEmpty {
                guard rest.first == UInt8(ascii: ":") else { return "" }
                port = rest.dropFirst()
            }
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            host = header[..<colon].utf8
            port = header[bytes.index(after: colon)...].utf8
        } else {
            host = header[...].utf8
        }
        guard port.count <= 5, port.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return "" }
        return String(Substring(host))
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
