import Foundation

/// Where a peer listens: `http://host:port` or `https://host:port`, with an optional base path.
public struct PeerAddress: Sendable, Equatable, CustomStringConvertible {
    public let secure: Bool
    public let host: String
    public let port: UInt16
    /// Prefix of every request path, without a trailing slash ("" for none).
    public let basePath: String

    public init(_ text: String) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else { throw PeerError.invalidAddress(text) }
        switch scheme {
        case "http": secure = false
        case "https": secure = true
        default: throw PeerError.invalidAddress(text)
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = UInt16(url.port ?? (secure ? 443 : 80))
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
    }

    /// The canonical form, used as the key of the peer's checkpoint.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(secure ? "https" : "http")://\(shownHost):\(port)\(basePath)"
    }

    /// The `Host` header value.
    var hostHeader: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(shownHost):\(port)"
    }
}

public enum PeerError: Error, CustomStringConvertible, Equatable {
    case invalidAddress(String)
    case connection(String)
    case tls(String)
    case protocolError(String)

    public var description: String {
        switch self {
        case .invalidAddress(let text): return "not a peer address (http://host:port or https://host:port): \(text)"
        case .connection(let why), .tls(let why), .protocolError(let why): return why
        }
    }
}
