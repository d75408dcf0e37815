import Glibc
import Model
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `struct MHD_Connection *` as a value that may cross threads.
///
/// libmicrohttpd allows `MHD_resume_connection` from any thread; every other call on a connection is made from
/// its worker thread, inside a callback. A suspended connection stays alive until it is resumed, which is what makes
/// a resume from another thread safe.
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// What the C callbacks share: the handler, the limits and the book-keeping that `shutdown` needs.
///
/// It is the `cls` of libmicrohttpd's callbacks, passed unretained: ``HTTPServer`` keeps it alive until
/// `MHD_stop_daemon` has returned.
final class ServerCore: Sendable {
    let handler: any HTTPHandler
    let maxBodyBytes: Int
    /// Per-path exceptions to ``maxBodyBytes``: each path's bytes, NUL-terminated, and its limit.
    let bodyLimitsByPath: [(path: [CChar], limit: Int)]
    let errorLog: (@Sendable (String) -> Void)?

    /// Requests between the first call of the access handler and the completed callback.
    private let activeRequests = Atomic<Int>(0)
    private let accepting = Atomic<Bool>(true)
    private let registry = Locked(Registry())

    private struct Registry {
        /// Connections suspended while a handler prepares its answer elsewhere.
        var awaiting: [ObjectIdentifier: Responder] = [:]
        /// Streams queued as responses and not yet closed (suspended or not).
        var streams: [ObjectIdentifier: ResponseStream] = [:]
        /// Set by shutdown once it has answered for everyone: nothing may suspend after that.
        var closing = false
    }

    init(handler: any HTTPHandler, configuration: HTTPServerConfiguration) {
        self.handler = handler
        self.maxBodyBytes = configuration.maxBodyBytes
        self.bodyLimitsByPath = configuration.bodyLimitsByPath.map { (Array($0.key.utf8CString), $0.value) }
        self.errorLog = configuration.errorLog
    }

    /// The body limit for a request to `path` (without its query). Runs for every request: it compares the C string
    /// in place rather than making a `String` of it.
    func bodyLimit(path: UnsafePointer<CChar>?) -> Int {
        guard let path else { return maxBodyBytes }
        return bodyLimitsByPath.first { strcmp($0.path, path) == 0 }?.limit ?? maxBodyBytes
    }

    /// How much of an over-long body is read and thrown away to be able to answer 413, for a request whose limit is
    /// `limit`; past this the connection is closed without an answer.
    func discardLimit(for limit: Int) -> Int { max(limit, 1 << 20) * 4 }

    func log(_ message: @autoclosure () -> String) {
        errorLog?(message())
    }

    // MARK: Requests

    /// Counts a request whose headers are in as in flight, unless shutdown has begun: then it is to be answered 503
    /// at once, and shutdown need not wait for it. Returns whether it was counted.
    func requestStarted() -> Bool {
        guard isAccepting else { return false }
        activeRequests.add(1, ordering: .relaxed)
        return true
    }

    func requestEnded() {
        activeRequests.subtract(1, ordering: .relaxed)
    }

    var activeRequestCount: Int { activeRequests.load(ordering: .relaxed) }

    /// False once shutdown has begun: new requests are then answered 503.
    private var isAccepting: Bool { accepting.load(ordering: .relaxed) }

    // MARK: Suspended connections

    /// Records a connection about to be suspended for a deferred answer; false once shutdown has closed the books,
    /// and the caller must then answer at once instead of suspending.
    func registerAwaiting(_ responder: Responder) -> Bool {
        registry.withLock { registry in
            guard !registry.closing else { return false }
            registry.awaiting[ObjectIdentifier(responder)] = responder
            return true
        }
    }

    func unregisterAwaiting(_ responder: Responder) {
        registry.withLock { _ = $0.awaiting.removeValue(forKey: ObjectIdentifier(responder)) }
    }

    /// Records a stream about to be queued; false once shutdown has closed the books (the stream must then end).
    func registerStream(_ stream: ResponseStream) -> Bool {
        registry.withLock { registry in
            guard !registry.closing else { return false }
            registry.streams[ObjectIdentifier(stream)] = stream
            return true
        }
    }

    func unregisterStream(_ stream: ResponseStream) {
        registry.withLock { _ = $0.streams.removeValue(forKey: ObjectIdentifier(stream)) }
    }

    // MARK: Shutdown

    func stopAccepting() {
        accepting.store(false, ordering: .relaxed)
    }

    /// True while some request is neither a stream nor done: a handler still running, a deferred answer pending,
    /// a body still arriving or a response still being sent.
    var hasRequestsInFlight: Bool {
        let streams = registry.withLock { $0.streams.count }
        return activeRequestCount > streams
    }

    var hasAwaitingResponders: Bool {
        registry.withLock { !$0.awaiting.isEmpty }
    }

    /// Closes the books and returns everyone still suspended or streaming, so that shutdown can answer them.
    func closeBooks() -> (responders: [Responder], streams: [ResponseStream]) {
        registry.withLock { registry in
            registry.closing = true
            return (Array(registry.awaiting.values), Array(registry.streams.values))
        }
    }

    /// Polls `condition` every 2 ms until it holds or `deadline` passes; shutdown is rare enough not to need more.
    static func wait(until deadline: ContinuousClock.Instant, for condition: () -> Bool) -> Bool {
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            usleep(2_000)
        }
        return true
    }
}
