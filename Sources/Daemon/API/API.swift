import Logging
import Model
import Storage

/// Settings of the API layer (the HTTP server has its own).
public struct APIConfiguration: Sendable {
    /// Host names accepted besides localhost and IP literals.
    public var allowedHosts: [String] = []
    /// Origins allowed cross-origin access; none by default.
    public var corsOrigins: [String] = []
    /// One log line per request on stderr.
    public var logRequests = true
    /// How often an idle event stream gets a heartbeat comment.
    public var heartbeatSeconds = 15.0
    /// Milliseconds since the epoch: the date and instant the views (readiness) are computed for.
    public var clock: @Sendable () -> Int64 = { ViewClock.wallMillis() }

    public init() {}
}

/// The JobPrep REST API: routes a complete request to its endpoint. From the socket, a request
/// goes libmicrohttpd → ``HTTPServer`` → ``API/handle(_:_:)`` → an endpoint → ``Store``.
final class API: HTTPHandler {
    let store: Store
    let configuration: APIConfiguration
    let authenticator: Authenticator
    let metrics = Metrics()
    let logger: Logger
    let hostGuard: HostGuard
    let cors: CORS
    let openAPIDocument: [UInt8]
    let waiters: ChangeWaiters
    let events: EventHub

    init(store: Store, configuration: APIConfiguration, openAPIDocument: [UInt8], logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.authenticator = Authenticator(store: store)
        self.logger = logger
        self.hostGuard = HostGuard(allowedNames: configuration.allowedHosts)
        self.cors = CORS(origins: Set(configuration.corsOrigins))
        self.openAPIDocument = openAPIDocument
        self.waiters = ChangeWaiters(store: store)
        self.events = EventHub(store: store, heartbeatSeconds: configuration.heartbeatSeconds)
        events.start()
    }

    /// Releases parked requests (before the HTTP server shuts down).
    func stop() {
        waiters.stop()
        events.stop()
    }

    func handle(_ request: HTTPRequest, _ responder: Responder) {
        let started = Monotonic.nanoseconds()
        let route = Route(path: request.path)
        let exchange = Exchange(request: request, responder: responder, started: started, route: route.label, api: self)
        guard hostGuard.allows(request.headers["Host"]) else {
            return exchange.fail(.hostNotAllowed(request.headers["Host"] ?? ""))
        }
        if request.method == "OPTIONS", !cors.origins.isEmpty {
            return exchange.respond(cors.preflight(request))
        }
        switch route {
        case .health: system(exchange, allowed: ["GET"]) { Responses.json(["status": "ok"]) }
        case .openAPI:
            system(exchange, allowed: ["GET"]) {
                HTTPResponse(status: 200, headers: ["Content-Type": "application/yaml"], bytes: openAPIDocument)
            }
        case .metrics:
            system(exchange, allowed: ["GET"]) {
                let cache = store.readCacheStatus
                let samples: [Metrics.Sample] = [
                    .init(
                        name: "jobprep_read_cache_hits_total",
                        help: "Token checks and record reads answered from memory (nothing committed since).",
                        kind: .counter, value: cache.hits),
                    .init(
                        name: "jobprep_read_cache_misses_total", help: "Token checks and record reads sent to SQLite.",
                        kind: .counter, value: cache.misses),
                    .init(
                        name: "jobprep_write_batches_total",
                        help: "Group commits run by the writer: writes queued together share one transaction.",
                        kind: .counter, value: store.statistics.writeBatches.load(ordering: .relaxed)),
                    .init(
                        name: "jobprep_writes_total", help: "Writes answered by the writer, over all its batches.",
                        kind: .counter, value: store.statistics.writes.load(ordering: .relaxed)),
                    .init(
                        name: "jobprep_sync_waiting_requests", help: "Long-poll requests parked until a change.",
                        kind: .gauge, value: waiters.count),
                    .init(
                        name: "jobprep_event_subscribers", help: "Open event streams.", kind: .gauge,
                        value: events.subscriberCount),
                    .init(
                        name: "jobprep_read_cache_record_bytes", help: "Bytes of record JSON in the read cache.",
                        kind: .gauge, value: cache.recordBytes),
                    .init(
                        name: "process_resident_memory_bytes", help: "Resident memory of the daemon (RSS).",
                        kind: .gauge, value: ResidentMemory.bytes()),
                ]
                return Responses.text(
                    metrics.render(
                        changesApplied: store.statistics.changesApplied.load(ordering: .relaxed), samples: samples),
                    contentType: "text/plain; version=0.0.4")
            }
        case .profile: profile(exchange)
        case .batch: batch(exchange)
        case .syncChanges: syncChanges(exchange)
        case .syncStatus: syncStatus(exchange)
        case .events: events(exchange)
        case .history(let collection, let id): history(exchange, collection, id: id)
        case .collection(let collection): collectionRoute(exchange, collection)
        case .record(let collection, let id): recordRoute(exchange, collection, id: id)
        case .readiness: readiness(exchange)
        case .briefing(let id): briefing(exchange, opportunityID: id)
        case .search: search(exchange)
        case .export: export(exchange)
        case .import: importExport(exchange)
        case .notFound:
            exchange.fail(.notFound("no route for \(request.path); see /openapi.yaml"))
        }
    }

    /// Unauthenticated endpoints outside `/v1`.
    private func system(_ exchange: Exchange, allowed: [String], _ body: () throws -> HTTPResponse) {
        guard allowed.contains(exchange.request.method) || exchange.request.method == "HEAD" else {
            return exchange.fail(.methodNotAllowed(exchange.request.method, allowed: allowed))
        }
        exchange.answer(body)
    }

    /// Answers 405 unless the method is one of `allowed` (HEAD goes with GET).
    func check(_ exchange: Exchange, _ allowed: [String]) -> Bool {
        let method = exchange.request.method
        if allowed.contains(method) || (method == "HEAD" && allowed.contains("GET")) { return true }
        exchange.fail(.methodNotAllowed(method, allowed: allowed))
        return false
    }
}

/// Where a path leads.
enum Route: Equatable {
    static let importPath = "/v1/import"

    case health
    case openAPI
    case metrics
    case profile
    case batch
    case syncChanges
    case syncStatus
    case events
    case history(String, id: String)
    case collection(String)
    case record(String, id: String)
    case readiness
    case briefing(id: String)
    case search
    case export
    case `import`
    case notFound

    init(path: String) {
        if let route = Self.fixed[path] {
            self = route
            return
        }
        // Split the bytes, not the characters: grapheme breaking cost more than the rest of routing.
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { Substring($0) }
        guard parts.count >= 3, parts[0].isEmpty, parts[1] == "v1",
            let collection = Catalog.collection(String(parts[2])), !collection.isSingleton
        else {
            self = .notFound
            return
        }
        if parts.count == 3 {
            self = .collection(collection.name)
        } else if parts.count == 4, RecordID.isValid(String(parts[3])) {
            self = .record(collection.name, id: String(parts[3]))
        } else if parts.count == 5, parts[4] == "history", RecordID.isValid(String(parts[3])) {
            self = .history(collection.name, id: String(parts[3]))
        } else if parts.count == 5, collection.name == Catalog.opportunities.name, parts[4] == "briefing",
            RecordID.isValid(String(parts[3]))
        {
            self = .briefing(id: String(parts[3]))
        } else {
            self = .notFound
        }
    }

    /// The routes without parameters, found with one hash instead of a comparison each.
    private static let fixed: [String: Route] = [
        "/healthz": .health, "/openapi.yaml": .openAPI, "/metrics": .metrics, "/v1/profile": .profile,
        "/v1/profile/history": .history(Catalog.profile.name, id: Catalog.profileID), "/v1/batch": .batch,
        "/v1/sync/changes": .syncChanges, "/v1/sync/status": .syncStatus, "/v1/events": .events,
        "/v1/readiness": .readiness, "/v1/search": .search, "/v1/export": .export, Route.importPath: .import,
    ]

    /// Each collection's route templates, made once rather than per request.
    private static let templates: [String: (collection: String, record: String, history: String)] = Dictionary(
        uniqueKeysWithValues: Catalog.all.map { c in
            let history = c.isSingleton ? "/v1/\(c.name)/history" : "/v1/\(c.name)/{id}/history"
            return (c.name, ("/v1/\(c.name)", "/v1/\(c.name)/{id}", history))
        })

    /// The route template, for metrics: `/v1/values/{id}`.
    var label: String {
        switch self {
        case .health: return "/healthz"
        case .openAPI: return "/openapi.yaml"
        case .metrics: return "/metrics"
        case .profile: return "/v1/profile"
        case .batch: return "/v1/batch"
        case .syncChanges: return "/v1/sync/changes"
        case .syncStatus: return "/v1/sync/status"
        case .events: return "/v1/events"
        case .history(let c, _): return Self.templates[c]!.history
        case .collection(let c): return Self.templates[c]!.collection
        case .record(let c, _): return Self.templates[c]!.record
        case .readiness: return "/v1/readiness"
        case .briefing: return "/v1/opportunities/{id}/briefing"
        case .search: return "/v1/search"
        case .export: return "/v1/export"
        case .import: return "/v1/import"
        case .notFound: return "unmatched"
        }
    }
}
