import CMicroHTTPD
import Model

/// Answers one request; handed to ``HTTPHandler/handle(_:_:)``.
///
/// Call ``respond(_:)`` once, from any thread: inside `handle` the response is queued on the worker right after
/// `handle` returns; later, the connection has been suspended in the meantime and the call resumes it.
///
/// The same object is the request's context in libmicrohttpd (`*con_cls`): one allocation per request. It is created
/// on the first call of the access handler and released in the completed callback.
public final class Responder: @unchecked Sendable {
    // @unchecked: `shared` is guarded by its mutex. The other stored properties are confined to the worker thread
    // that owns the connection: libmicrohttpd runs one callback at a time per connection, on that thread.

    let connection: ConnectionHandle
    let core: ServerCore
    var phase: Phase = .receiving
    var body: [UInt8] = []
    /// The largest body this request may carry (set once its path is known).
    var bodyLimit = 0
    /// The stream queued as the response, told when the connection is done with it.
    var stream: ResponseStream?
    /// Set for a request whose body reached ``Heap/largeRequestBytes``: its memory is handed back when it ends.
    var wasLarge = false
    /// Whether the headers are in.
    var started = false
    /// Whether the request counts as in flight (``ServerCore/requestStarted()``): every request but those that came
    /// after shutdown began, which are answered 503 and not waited for.
    var counted = false
    /// Why the request line was refused before its query was parsed (answered once the headers are in).
    var refusal: String?

    enum Phase {
        /// Collecting the body.
        case receiving
        /// The body is over the limit: its rest is read and dropped, then 413 is queued.
        case discarding(received: Int)
        /// The handler has returned without answering; the connection is suspended.
        case awaiting
        /// A response has been queued.
        case answered
    }

    private let shared = Locked(Shared())

    private struct Shared {
        var stage: Stage = .handling(nil)
        var handlerResponded = false
    }

    private enum Stage {
        /// `handle` has not returned yet; holds the response if it answered already.
        case handling(HTTPResponse?)
        /// The connection is suspended, waiting for `respond`.
        case suspended
        /// The connection was resumed with this response, which the access handler queues on its next call.
        case resumed(HTTPResponse)
        /// The response is in libmicrohttpd's hands, or the request is over.
        case done
    }

    init(connection: ConnectionHandle, core: ServerCore) {
        self.connection = connection
        self.core = core
    }

    /// The connection's socket, for watching it while the request is parked (``PeerWatch``). Call it from the
    /// access handler, while libmicrohttpd owns the connection on this thread.
    var socket: Int32? {
        let fd = jp_mhd_connection_fd(connection.pointer)
        return fd >= 0 ? fd : nil
    }

    /// Answers the request. Only the first call counts (later ones assert in debug builds and are ignored).
    ///
    /// After ``HTTPServer/shutdown(gracePeriod:)`` has answered 503 for a slow handler, its late answer is ignored.
    public func respond(_ response: HTTPResponse) {
        let mustResume = shared.withLock { shared -> Bool in
            guard !shared.handlerResponded else {
                assertionFailure("Responder.respond(_:) called twice for one request")
                return false
            }
            shared.handlerResponded = true
            switch shared.stage {
            case .handling(.none):
                shared.stage = .handling(response)
                return false
            case .suspended:
                shared.stage = .resumed(response)
                return true
            case .handling(.some), .resumed, .done:
                return false
            }
        }
        if mustResume { resume() }
    }

    // MARK: Worker side

    /// Called on the worker once `handle` has returned: the response to queue now, or nil after suspending the
    /// connection until `respond` comes.
    ///
    /// The suspension happens under the lock, so that `respond` from another thread can only ever resume a
    /// connection that is really suspended (resuming one that is not is undefined behaviour in libmicrohttpd).
    func takeResponseOrSuspend() -> HTTPResponse? {
        shared.withLock { shared -> HTTPResponse? in
            if case .handling(let response?) = shared.stage {
                shared.stage = .done
                return response
            }
            guard core.registerAwaiting(self) else {
                shared.stage = .done
                return .shuttingDown
            }
            // https://www.gnu.org/software/libmicrohttpd/manual/html_node/microhttpd_002dflow.html
            MHD_suspend_connection(connection.pointer)
            shared.stage = .suspended
            return nil
        }
    }

    /// Called on the worker when the access handler runs again after a resume.
    func takeResumedResponse() -> HTTPResponse? {
        shared.withLock { shared -> HTTPResponse? in
            guard case .resumed(let response) = shared.stage else { return nil }
            shared.stage = .done
            return response
        }
    }

    /// Shutdown's answer for a handler that did not answer in time.
    func answerForShutdown(_ response: HTTPResponse) {
        let mustResume = shared.withLock { shared -> Bool in
            guard case .suspended = shared.stage else { return false }
            shared.stage = .resumed(response)
            return true
        }
        if mustResume { resume() }
    }

    /// Called from the completed callback: the request is over, whatever state it was in.
    func requestCompleted() {
        let wasSuspended = shared.withLock { shared -> Bool in
            defer { shared.stage = .done }
            if case .suspended = shared.stage { return true }
            return false
        }
        if wasSuspended {
            // Cannot happen while shutdown resumes everything before MHD_stop_daemon; keep the books right anyway.
            core.unregisterAwaiting(self)
        }
        stream?.connectionClosed()
        stream = nil
        if counted { core.requestEnded() }
        if wasLarge { Heap.returnFreeMemory() }
    }

    private func resume() {
        core.unregisterAwaiting(self)
        MHD_resume_connection(connection.pointer)
    }
}

extension HTTPResponse {
    static var shuttingDown: HTTPResponse {
        .problem(
            status: 503, title: "Service Unavailable", detail: "the server is shutting down",
            headers: ["Connection": "close"])
    }
}

/// The C heap after large requests.
enum Heap {
    /// A request body at least this large (a batch, an import) marks its request as large.
    static let largeRequestBytes = 256 * 1024

    /// Hands the heap's free memory back to the system (`malloc_trim`). Handling a large request frees megabytes
    /// (its body, the parsed JSON, the response) that glibc would otherwise keep in its arenas for the rest of the
    /// daemon's life: after seeding 1,000 records in one batch, 4 MiB of the daemon's resident memory. It walks the
    /// free lists, so it runs only after large requests.
    static func returnFreeMemory() {
        jp_release_free_heap()
    }
}
