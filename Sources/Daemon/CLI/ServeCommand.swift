import ArgumentParser
import Foundation
import Logging
import Storage

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API (the default command).",
        discussion: """
            On first start the data directory is created with the database, the built-in interview \
            questions and an access token in <data-dir>/token (mode 0600). SIGTERM or SIGINT finishes \
            the requests in flight, closes the database and exits 0.
            """
    )

    @OptionGroup var data: DataDirectoryOption

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: UInt16 = 8787

    @Option(
        name: .customLong("allow-host"),
        help: "A host name to accept in the Host header besides localhost (repeatable).")
    var allowedHosts: [String] = []

    @Option(
        name: .customLong("cors-origin"), help: "An origin allowed cross-origin access (repeatable; none by default).")
    var corsOrigins: [String] = []

    @Option(
        help:
            "normal: a committed write survives a process crash; full: it also survives power loss (fsync per commit).")
    var durability: String = Durability.normal.rawValue

    @Option(help: "Worker threads (default: two per core).")
    var threads: Int = HTTPServerConfiguration.defaultThreads

    @Option(name: .customLong("max-body"), help: "The largest request body accepted, in bytes.")
    var maxBodyBytes: Int = 1 << 20

    @Option(name: .customLong("max-import-body"), help: "The largest body POST /v1/import accepts, in bytes.")
    var maxImportBytes: Int = DaemonConfiguration.defaultMaxImportBytes

    @Option(
        name: .customLong("max-connections"), help: "Open connections at most (long-polls and event streams count).")
    var maxConnections = 8192

    @Flag(inversion: .prefixedNo, help: "Log one line per request on stderr.")
    var logRequests = true

    @Option(name: .customLong("tls-cert"), help: "A PEM certificate file: serve HTTPS.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    @Flag(help: "Allow listening on a non-loopback address without TLS.")
    var insecure = false

    @Option(help: "A peer to keep in sync with continuously (repeatable), e.g. https://desktop.lan:8787.")
    var peer: [String] = []

    @Option(
        name: .customLong("peer-token"),
        help: "The token each --peer accepts (one for all, or one per --peer, in order).")
    var peerTokens: [String] = []

    @Option(help: "A PEM file of CA certificates to verify HTTPS peers with.")
    var ca: String?

    func validate() throws {
        guard Durability(rawValue: durability) != nil else {
            throw ValidationError("--durability must be normal or full")
        }
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        if !Self.isLoopback(host), tlsCertificate == nil, !insecure {
            throw ValidationError(
                "refusing to serve \(host) without TLS: anyone on the network could read your data. "
                    + "Give --tls-cert and --tls-key, or --insecure if you really mean it.")
        }
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be 1 to 256") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body must be at least 1024") }
        guard maxImportBytes >= 1024 else { throw ValidationError("--max-import-body must be at least 1024") }
        guard maxConnections >= 16 else { throw ValidationError("--max-connections must be at least 16") }
        for address in peer { _ = try PeerAddress(address) }
        guard peer.isEmpty || peerTokens.count == 1 || peerTokens.count == peer.count else {
            throw ValidationError("give one --peer-token for all peers or one per --peer")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    func run() throws {
        MallocTuning.apply()
        LoggingSetup.once
        let logger = Logger(label: "jobprepd")
        var configuration = DaemonConfiguration(dataDirectory: data.directory)
        configuration.http.host = host == "localhost" ? "127.0.0.1" : host
        configuration.http.port = port
        configuration.http.threads = threads
        configuration.http.maxBodyBytes = maxBodyBytes
        configuration.maxImportBytes = maxImportBytes
        configuration.http.connectionLimit = maxConnections
        configuration.api.allowedHosts = allowedHosts
        configuration.api.corsOrigins = corsOrigins
        configuration.api.logRequests = logRequests
        configuration.store.durability = Durability(rawValue: durability)!
        if let tlsCertificate, let tlsKey {
            configuration.http.tls = TLSConfiguration(
                certificatePEM: try String(contentsOfFile: tlsCertificate, encoding: .utf8),
                keyPEM: try String(contentsOfFile: tlsKey, encoding: .utf8))
        }
        configuration.peers = try peer.enumerated().map { i, address in
            PeerConfiguration(
                address: try PeerAddress(address), token: peerTokens[peerTokens.count == 1 ? 0 : i], caFile: ca)
        }
        FileLimits.raise()
        let signals = SignalWaiter([SIGTERM, SIGINT])
        let application: Application
        do {
            application = try Application(configuration: configuration, logger: logger)
            try application.start()
        } catch {
            throw CleanExit.message("jobprepd: \(error)").asFailure
        }
        let scheme = configuration.http.tls == nil ? "http" : "https"
        logger.info(
            "serving \(scheme)://\(Self.display(configuration.http.host)):\(application.port) from \(configuration.dataDirectory.path) (node \(application.store.nodeID))"
        )
        let signal = signals.wait()
        logger.info("received signal \(signal); finishing requests in flight")
        application.stop()
        logger.info("stopped")
    }

    private static func display(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}

/// Blocks the main thread until one of the given signals arrives.
final class SignalWaiter: @unchecked Sendable {
    // @unchecked: `received` is written once by the signal queue before `semaphore` is signalled.
    private let semaphore = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []
    private var received: Int32 = 0

    init(_ signals: [Int32]) {
        Foundation.signal(SIGPIPE, SIG_IGN)
        for number in signals {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                if received == 0 {
                    received = number
                    semaphore.signal()
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func wait() -> Int32 {
        semaphore.wait()
        return received
    }
}

extension CleanExit {
    /// Wraps a message as a failing exit (exit code 1, message on stderr).
    var asFailure: Error { ExitFailure(description: "\(self)") }
}

struct ExitFailure: Error, CustomStringConvertible {
    let description: String
}

/// Long-polls and event streams keep connections open: allow as many descriptors as the system lets us.
enum FileLimits {
    static func raise() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
