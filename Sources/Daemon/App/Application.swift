import Foundation
import Logging
import Model
import Storage

/// Everything `jobprepd serve` runs.
public struct DaemonConfiguration: Sendable {
    public var dataDirectory: DataDirectory
    public var http = HTTPServerConfiguration()
    public var api = APIConfiguration()
    public var store = StoreOptions()
    /// Peers to keep in sync with while serving (`serve --peer`).
    public var peers: [PeerConfiguration] = []

    public init(dataDirectory: DataDirectory) {
        self.dataDirectory = dataDirectory
        maxImportBytes = Self.defaultMaxImportBytes
    }

    /// The largest body `POST /v1/import` accepts: an export of the whole dataset (5,000 records are 2.7 MB).
    public var maxImportBytes: Int {
        get { http.bodyLimitsByPath[Route.importPath] ?? http.maxBodyBytes }
        set { http.bodyLimitsByPath[Route.importPath] = newValue }
    }

    public static let defaultMaxImportBytes = 16 << 20
}

/// A peer to sync with continuously.
public struct PeerConfiguration: Sendable {
    public var address: PeerAddress
    public var token: String
    public var caFile: String?

    public init(address: PeerAddress, token: String, caFile: String? = nil) {
        self.address = address
        self.token = token
        self.caFile = caFile
    }
}

/// A running daemon: the store on its data directory and the HTTP server in front of it. Tests
/// start one on port 0 with a temporary data directory.
public final class Application: Sendable {
    public let configuration: DaemonConfiguration
    public let store: Store
    private let api: API
    private let server: HTTPServer
    private let flusher: PeriodicTask
    private let syncs: [ContinuousSync]

    public init(configuration: DaemonConfiguration, logger: Logger = Logger(label: "jobprepd")) throws {
        self.configuration = configuration
        try configuration.dataDirectory.create()
        store = try Store(path: configuration.dataDirectory.databasePath, options: configuration.store)
        do {
            try Application.issueFirstToken(store, configuration.dataDirectory)
            api = API(
                store: store, configuration: configuration.api, openAPIDocument: OpenAPIDocument.bytes, logger: logger)
            server = try HTTPServer(configuration: configuration.http, handler: api)
        } catch {
            store.close()
            throw error
        }
        flusher = PeriodicTask(every: 30) { [api] in api.authenticator.flush() }
        syncs = configuration.peers.map { [store, api] peer in
            ContinuousSync(
                store: store, address: peer.address, token: peer.token, caFile: peer.caFile, logger: logger,
                metrics: api.metrics)
        }
    }

    public func start() throws {
        try server.start()
        flusher.start()
        for sync in syncs { sync.start() }
    }

    /// The port the server listens on (the real one when configured with 0).
    public var port: UInt16 { server.port }

    /// Stops accepting, finishes the requests in flight, flushes and closes the database.
    public func stop(gracePeriod: Duration = .seconds(5)) {
        for sync in syncs { sync.stop() }
        api.stop()
        // Writes still queued when the grace period ends commit and get their real answer, not a 503 for a
        // write that is then applied anyway.
        server.shutdown(gracePeriod: gracePeriod) { [store, api] in
            api.authenticator.flush()
            store.finishWrites()
        }
        flusher.cancel()
        store.close()
    }

    /// On a new data directory: the `default` token (scope write), written to `<data-dir>/token`.
    private static func issueFirstToken(_ store: Store, _ directory: DataDirectory) throws {
        guard try !store.isInitialized() else { return }
        _ = try store.revokeToken(name: "default")
        let secret = try store.createToken(name: "default", scope: .write)
        try directory.writeToken(secret)
        try store.markInitialized()
    }
}

/// Runs a task every `interval` seconds on a utility queue until cancelled.
final class PeriodicTask: @unchecked Sendable {
    // @unchecked: the timer source is thread-safe, and `started` is locked.
    private let timer: DispatchSourceTimer
    private let started = Locked(false)

    init(every interval: Double, _ task: @escaping @Sendable () -> Void) {
        timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler(handler: task)
    }

    func start() {
        started.withLock { started in
            if !started { timer.resume() }
            started = true
        }
    }

    func cancel() { timer.cancel() }

    deinit {
        // libdispatch traps when a source is released suspended, as one never started is (an application whose
        // server could not bind): cancel it, then resume it so that it can go.
        timer.cancel()
        if !started.withLock({ $0 }) { timer.resume() }
    }
}
