import Model
import CMicroHTTPD

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP/1.1 server on libmicrohttpd: a pool of worker threads polling with epoll, each serving its connections.
///
/// ```swift
/// let server = try HTTPServer(configuration: configuration, handler: router)
/// try server.start()
/// // ...
/// server.shutdown(gracePeriod: .seconds(5))
/// ```
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    private let core: ServerCore
    private let bindAddress: BindAddress
    private let lifecycle = Locked(Lifecycle.idle)

    private enum Lifecycle {
        case idle
        case running(RunningDaemon)
        case stopped(port: UInt16)
    }

    /// Validates the configuration; nothing listens until ``start()``.
    public init(
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
        handler: some HTTPHandler
    ) throws(HTTPServerError) {
        try Self.validate(configuration)
        self.configuration = configuration
        self.bindAddress = try BindAddress(host: configuration.host, port: configuration.port)
        self.core = ServerCore(handler: handler, configuration: configuration)
    }

    deinit {
        shutdown(gracePeriod: .zero)
    }

    /// The port the server listens on (the one picked when configured with 0), or the configured port before start.
    public var port: UInt16 {
        lifecycle.withLock { lifecycle in
            switch lifecycle {
            case .idle: configuration.port
            case .running(let daemon): daemon.port
            case .stopped(let port): port
            }
        }
    }

    /// Binds and starts serving. Throws ``HTTPServerError`` with a sentence such as
    /// "cannot listen on 127.0.0.1:8787: address in use".
    public func start() throws(HTTPServerError) {
        try lifecycle.withLock { lifecycle throws(HTTPServerError) in
            guard case .idle = lifecycle else {
                throw HTTPServerError(.alreadyStarted, "the server was already started")
            }
            try bindAddress.checkCanBind()
            lifecycle = .running(try startDaemon())
        }
    }

    /// Stops the server, letting work in flight end first:
    /// 1. stops taking requests: from then on every request, on an open connection or a new one, gets 503. (The
    ///    listening socket stays open until step 4: `MHD_quiesce_daemon` would close it sooner, but in libmicrohttpd
    ///    0.9.75 it races with the epoll workers removing the same socket from their epoll sets, and the loser aborts
    ///    the process: "Failed to remove listen FD from epoll set", once in some 6,000 shutdowns under load.)
    /// 2. waits up to `gracePeriod` for handlers and deferred responses to complete;
    /// 3. calls `beforeRefusing`, which may still answer some (the daemon lets its queued writes commit and answer:
    ///    a write must not be refused with 503 and then be applied anyway), then answers 503 for deferred responses
    ///    still missing, finishes every open stream (which resumes the
    ///    suspended connections: libmicrohttpd must not be stopped with any suspended) and lets these go out
    ///    (up to the rest of the grace period, at least half a second);
    /// 4. `MHD_stop_daemon`, which closes whatever connections are left.
    ///
    /// Blocks until done; calling it again, or on a server never started, does nothing. Never call it from a handler
    /// or any libmicrohttpd worker thread: `MHD_stop_daemon` joins those threads.
    public func shutdown(gracePeriod: Duration = .seconds(5), beforeRefusing: () -> Void = {}) {
        let taken = lifecycle.withLock { lifecycle -> RunningDaemon? in
            guard case .running(let daemon) = lifecycle else { return nil }
            lifecycle = .stopped(port: daemon.port)
            return daemon
        }
        guard let daemon = taken else { return }
        let start = ContinuousClock.now
        let deadline = start + max(gracePeriod, .zero)

        core.stopAccepting()

        _ = ServerCore.wait(until: deadline) { !core.hasRequestsInFlight }
        beforeRefusing()

        let (responders, streams) = core.closeBooks()
        for responder in responders { responder.answerForShutdown(.shuttingDown) }
        for stream in streams { stream.finish() }
        _ = ServerCore.wait(until: max(deadline, ContinuousClock.now + .milliseconds(500))) {
            core.activeRequestCount == 0
        }

        MHD_stop_daemon(daemon.handle.pointer)
        daemon.releaseResources()
    }

    // MARK: Starting

    private static func validate(_ configuration: HTTPServerConfiguration) throws(HTTPServerError) {
        func check(_ condition: Bool, _ message: String) throws(HTTPServerError) {
            if !condition { throw HTTPServerError(.invalidConfiguration, message) }
        }
        try check((1...1024).contains(configuration.threads), "threads must be between 1 and 1024")
        try check(configuration.maxBodyBytes >= 0, "maxBodyBytes must not be negative")
        try check(
            configuration.connectionLimit >= configuration.threads,
            "connectionLimit must be at least the number of threads (libmicrohttpd splits it among them)")
        try check(configuration.perIPConnectionLimit >= 0, "perIPConnectionLimit must not be negative")
        try check(configuration.connectionMemoryLimit >= 4096, "connectionMemoryLimit must be at least 4096 bytes")
        try check(configuration.connectionTimeoutSeconds >= 0, "connectionTimeoutSeconds must not be negative")
        if let tls = configuration.tls {
            try check(!tls.certificatePEM.isEmpty && !tls.keyPEM.isEmpty, "TLS needs both a certificate and a key")
        }
    }

    /// `MHD_start_daemon` with the options of the configuration.
    /// https://www.gnu.org/software/libmicrohttpd/manual/html_node/microhttpd_002dinit.html (options: "Constants" in the manual)
    private func startDaemon() throws(HTTPServerError) -> RunningDaemon {
        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue
        if bindAddress.isIPv6 { flags |= MHD_USE_IPv6.rawValue }

        let resources = RunningDaemon.Resources()
        if let tls = configuration.tls {
            flags |= MHD_USE_TLS.rawValue
            resources.certificate = strdup(tls.certificatePEM)
            resources.key = strdup(tls.keyPEM)
        }
        if let errorLog = configuration.errorLog {
            flags |= MHD_USE_ERROR_LOG.rawValue
            resources.logSink = Unmanaged.passRetained(LogSink(errorLog))
        }

        var options: [MHD_OptionItem] = []
        func add(_ option: MHD_OPTION, _ value: Int, _ pointer: UnsafeMutableRawPointer? = nil) {
            options.append(MHD_OptionItem(option: option, value: value, ptr_value: pointer))
        }
        add(.CONNECTION_LIMIT, configuration.connectionLimit)
        if configuration.perIPConnectionLimit > 0 {
            add(.PER_IP_CONNECTION_LIMIT, configuration.perIPConnectionLimit)
        }
        add(.CONNECTION_MEMORY_LIMIT, configuration.connectionMemoryLimit)
        add(.CONNECTION_TIMEOUT, configuration.connectionTimeoutSeconds)
        // Function-pointer options in an MHD_OPTION_ARRAY: the function in `value`, its closure in `ptr_value`.
        add(.UNESCAPE_CALLBACK, unsafeBitCast(MHDCallbacks.unescape, to: Int.self))
        add(
            .URI_LOG_CALLBACK, unsafeBitCast(MHDCallbacks.readRequestTarget, to: Int.self),
            Unmanaged.passUnretained(core).toOpaque())
        if configuration.threads > 1 {
            add(.THREAD_POOL_SIZE, configuration.threads)
        }
        if let key = resources.key, let certificate = resources.certificate {
            add(.HTTPS_MEM_KEY, 0, UnsafeMutableRawPointer(key))
            add(.HTTPS_MEM_CERT, 0, UnsafeMutableRawPointer(certificate))
        }

        let core = Unmanaged.passUnretained(core).toOpaque()
        let started = bindAddress.withSockaddr { address, _ -> OpaquePointer? in
            add(.SOCK_ADDR, 0, UnsafeMutableRawPointer(address))
            add(.END, 0)
            return options.withUnsafeBufferPointer {
                jp_mhd_start_daemon(
                    flags,
                    MHDCallbacks.accessHandler, core,
                    MHDCallbacks.requestCompleted, core,
                    resources.logSink == nil ? nil : MHDCallbacks.log,
                    resources.logSink?.toOpaque(),
                    $0.baseAddress)
            }
        }
        guard let started else {
            resources.release()
            let hint = configuration.tls == nil ? "" : " (check the TLS certificate and key)"
            throw HTTPServerError(
                .startFailed, "cannot listen on \(bindAddress.description): libmicrohttpd could not start\(hint)")
        }
        let handle = DaemonHandle(pointer: started)
        return RunningDaemon(handle: handle, port: jp_mhd_daemon_port(started), resources: resources)
    }
}

/// `struct MHD_Daemon *`; libmicrohttpd's daemon calls are thread-safe.
struct DaemonHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// A started daemon and the memory it reads for as long as it runs.
private struct RunningDaemon: Sendable {
    let handle: DaemonHandle
    let port: UInt16
    let resources: Resources

    /// @unchecked: written only while starting, under the server's lifecycle lock, then read-only until
    /// `release()`, which shutdown calls once after `MHD_stop_daemon`.
    final class Resources: @unchecked Sendable {
        var certificate: UnsafeMutablePointer<CChar>?
        var key: UnsafeMutablePointer<CChar>?
        var logSink: Unmanaged<LogSink>?

        func release() {
            free(certificate)
            free(key)
            logSink?.release()
            certificate = nil
            key = nil
            logSink = nil
        }
    }

    func releaseResources() {
        resources.release()
    }
}
