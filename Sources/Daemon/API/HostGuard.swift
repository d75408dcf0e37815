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
    /// It scans and slices bytes: searching by `Character` cost most of a GET's host check.
    static func hostname(_ header: String) -> String {
        let bytes = header.utf8
        let host: Substring.UTF8View
        var port = bytes[bytes.endIndex...]
        if bytes.first == UInt8(ascii: "[") {
            guard let end = bytes.firstIndex(of: UInt8(ascii: "]")) else { return "" }
            host = bytes[bytes.index(after: bytes.startIndex)..<end]
            let rest = bytes[bytes.index(after: end)...]
            if !rest.isEmpty {
                guard rest.first == UInt8(ascii: ":") else { return "" }
                port = rest.dropFirst()
            }
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            host = bytes[..<colon]
            port = bytes[bytes.index(after: colon)...]
        } else {
            host = bytes[...]
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
