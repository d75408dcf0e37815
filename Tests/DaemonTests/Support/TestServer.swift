import Daemon
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A handler made of a closure, for tests.
struct ClosureHandler: HTTPHandler {
    let body: @Sendable (HTTPRequest, Responder) -> Void

    init(_ body: @escaping @Sendable (HTTPRequest, Responder) -> Void) {
        self.body = body
    }

    func handle(_ request: HTTPRequest, _ responder: Responder) {
        body(request, responder)
    }
}

/// Boots an ``HTTPServer`` on 127.0.0.1 and a free port, runs `body`, and shuts the server down even if it throws.
func withTestServer<R>(
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    handler: @escaping @Sendable (HTTPRequest, Responder) -> Void,
    _ body: (HTTPServer) throws -> R
) throws -> R {
    var configuration = HTTPServerConfiguration()
    configuration.port = 0
    configuration.threads = 2
    configure(&configuration)
    let server = try HTTPServer(configuration: configuration, handler: ClosureHandler(handler))
    try server.start()
    defer { server.shutdown(gracePeriod: .seconds(1)) }
    return try body(server)
}

/// A value shared between a handler and the test, behind a lock.
///
/// NSLock rather than Synchronization.Mutex, which ThreadSanitizer cannot see through on Linux.
final class Shared<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func get() -> Value {
        lock.withLock { value }
    }

    func set(_ newValue: Value) {
        lock.withLock { value = newValue }
    }

    @discardableResult
    func update<R>(_ body: (inout Value) -> R) -> R {
        lock.withLock { body(&value) }
    }
}

extension HTTPResponse {
    static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain"], bytes: Array(text.utf8))
    }
}

/// Blocks the calling thread (not a task-friendly sleep: for producer threads and polling loops in tests).
func pause(milliseconds: Int) {
    usleep(UInt32(milliseconds * 1000))
}
