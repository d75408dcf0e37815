import Model
import CMicroHTTPD

/// A response body written over time by a producer on any thread, sent chunked.
///
/// Answer with `HTTPResponse(body: .stream(stream))`, then ``send(_:)`` and finally ``finish()``. While the buffer is
/// empty the connection is suspended: an idle stream costs no thread and no polling. Use one stream per response.
///
/// A suspended connection does not notice that the client went away; the next ``send(_:)`` does, so long-lived
/// streams (Server-Sent Events) should send a heartbeat now and then to learn of closed clients.
public final class ResponseStream: Sendable {
    private let state = Locked(State())

    private struct State {
        /// Bytes not yet handed to libmicrohttpd start at `readOffset`.
        var pending: [UInt8] = []
        var readOffset = 0
        var finished = false
        var closed = false
        var suspended = false
        var connection: ConnectionHandle?
        var core: ServerCore?
        var closeHandlers: [@Sendable () -> Void] = []

        var bufferedCount: Int { pending.count - readOffset }

        /// The connection to resume, if the content reader suspended it.
        mutating func takeSuspension() -> ConnectionHandle? {
            guard suspended else { return nil }
            suspended = false
            return connection
        }
    }

    public init() {}

    /// Appends bytes to the body; ignored after ``finish()`` or once the stream is closed.
    public func send(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let resume = state.withLock { state -> ConnectionHandle? in
            guard !state.finished, !state.closed else { return nil }
            if state.readOffset > 0 && state.readOffset >= state.pending.count / 2 {
                state.pending.removeSubrange(0..<state.readOffset)
                state.readOffset = 0
            }
            state.pending.append(contentsOf: bytes)
            return state.takeSuspension()
        }
        if let resume { MHD_resume_connection(resume.pointer) }
    }

    public func send(_ text: String) {
        send(Array(text.utf8))
    }

    /// Ends the body once what was sent so far has gone out.
    public func finish() {
        let resume = state.withLock { state -> ConnectionHandle? in
            guard !state.finished, !state.closed else { return nil }
            state.finished = true
            return state.takeSuspension()
        }
        if let resume { MHD_resume_connection(resume.pointer) }
    }

    /// True once the connection is done with the stream: the body was sent in full, the client went away, or the
    /// server stopped. Producers should then drop the stream.
    public var isClosed: Bool {
        state.withLock { $0.closed }
    }

    /// Bytes sent but not yet taken by the connection; a growing number means a slow client.
    public var bufferedByteCount: Int {
        state.withLock { $0.bufferedCount }
    }

    /// Runs `handler` once when the stream closes (see ``isClosed``), on the thread that notices, or right away if
    /// it is closed already. Keep it short: it may run on a libmicrohttpd worker.
    public func onClose(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            guard !state.closed else { return true }
            state.closeHandlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    // MARK: libmicrohttpd side

    /// Binds the stream to the connection it is about to be queued on; false if it was bound already.
    func attach(to connection: ConnectionHandle, core: ServerCore) -> Bool {
        let fresh = state.withLock { state -> Bool in
            guard state.connection == nil, !state.closed else { return false }
            state.connection = connection
            state.core = core
            return true
        }
        guard fresh else { return false }
        if !core.registerStream(self) {
            // Shutdown has already finished every stream it knew of.
            finish()
        }
        return true
    }

    /// The `MHD_ContentReaderCallback`: copies buffered bytes, ends the body, or suspends the connection until the
    /// producer sends more (suspending from a content reader is allowed, and under the lock `send` cannot miss it).
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        state.withLock { state -> Int in
            let available = state.bufferedCount
            if available > 0 {
                let count = min(available, capacity)
                state.pending.withUnsafeBytes { bytes in
                    UnsafeMutableRawPointer(buffer).copyMemory(
                        from: bytes.baseAddress! + state.readOffset, byteCount: count)
                }
                state.readOffset += count
                if state.readOffset == state.pending.count {
                    state.pending.removeAll(keepingCapacity: true)
                    state.readOffset = 0
                }
                return count
            }
            guard !state.finished, !state.closed, let connection = state.connection else {
                return MHD_CONTENT_READER_END_OF_STREAM
            }
            MHD_suspend_connection(connection.pointer)
            state.suspended = true
            return 0
        }
    }

    /// Called from the completed callback once the connection is done with the stream.
    func connectionClosed() {
        let (handlers, core) = state.withLock { state -> ([@Sendable () -> Void], ServerCore?) in
            state.closed = true
            state.suspended = false
            state.pending = []
            state.readOffset = 0
            defer { state.closeHandlers = [] }
            return (state.closeHandlers, state.core)
        }
        core?.unregisterStream(self)
        for handler in handlers { handler() }
    }
}
