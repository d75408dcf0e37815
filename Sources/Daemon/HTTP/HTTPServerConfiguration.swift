#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How an ``HTTPServer`` listens and what it tolerates from clients.
public struct HTTPServerConfiguration: Sendable {
    /// The IPv4 or IPv6 literal to bind ("127.0.0.1", "::1", "0.0.0.0", "::").
    public var host: String = "127.0.0.1"
    /// The TCP port; 0 picks a free one (read it back from ``HTTPServer/port``).
    public var port: UInt16 = 8787
    /// libmicrohttpd worker threads (`MHD_OPTION_THREAD_POOL_SIZE`); each owns its connections.
    public var threads: Int = HTTPServerConfiguration.defaultThreads
    /// The largest request body accepted; a larger one is answered 413.
    public var maxBodyBytes: Int = 1 << 20
    /// Other limits for requests to these exact paths (an import carries a whole dataset).
    public var bodyLimitsByPath: [String: Int] = [:]
    /// Concurrent connections accepted in all (`MHD_OPTION_CONNECTION_LIMIT`).
    public var connectionLimit: Int = 8192
    /// Concurrent connections from one IP address; 0 means unlimited (every loopback client shares one IP).
    public var perIPConnectionLimit: Int = 0
    /// Bytes libmicrohttpd may use per connection for headers and buffers (`MHD_OPTION_CONNECTION_MEMORY_LIMIT`).
    /// Its default, 32 KiB: libmicrohttpd zeroes the whole pool before each request of a keep-alive connection, so the
    /// size is paid per request (64 KiB cost GET one record 22 µs of CPU against 19, side by side), and a header of
    /// 30 KB still fits. (It was back at 64 KiB for a while because an event stream stalled with 32 KiB; the stall
    /// was the event hub dropping rows, at any pool size: Benchmarks/PROFILE.md, session 6.)
    public var connectionMemoryLimit: Int = 32 * 1024
    /// Seconds an idle connection is kept open; 0 keeps it forever.
    public var connectionTimeoutSeconds: Int = 30
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    public var tls: TLSConfiguration?
    /// Receives libmicrohttpd's own error messages (`MHD_USE_ERROR_LOG`); nil silences them.
    public var errorLog: (@Sendable (String) -> Void)?

    public init() {}

    /// The number of online processors, at least 1.
    /// Two workers per core. A connection belongs to whichever worker accepted it, and a worker woken by a burst of
    /// connections accepts several at once: with one worker per core, the 32 connections of a benchmark (or the
    /// six of a browser) often all landed on one worker and left the other core idle. Twice as many workers
    /// spreads them; measured on 2 cores, GET one record under wrk -c32 went from 32,600 to 39,600 req/s.
    public static var defaultThreads: Int { 2 * processorCount }

    public static var processorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

/// A PEM certificate (chain) and its unencrypted PEM private key, as file contents.
public struct TLSConfiguration: Sendable {
    public var certificatePEM: String
    public var keyPEM: String

    public init(certificatePEM: String, keyPEM: String) {
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }
}
