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

    /// The name part of a Host header: `[::1]:8787` → `::1`, `localhost:8787` → `localhost`.
    static func hostname(_ header: String) -> String {
        if header.hasPrefix("[") {
            guard let end = header.firstIndex(of: "]") else { return "" }
            return String(header[header.index(after: header.startIndex)..<end])
        }
        if let colon = header.lastIndex(of: ":") { return String(header[..<colon]) }
        return header
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
