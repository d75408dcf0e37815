import Model

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Counters served at `/metrics` in the Prometheus text format.
final class Metrics: Sendable {
    static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var buckets = [Int](repeating: 0, count: Metrics.bucketBounds.count)
        var count = 0
        var sumSeconds = 0.0
        var syncRuns: [String: Int] = [:]

        mutating func add(_ other: State) {
            requests.merge(other.requests, uniquingKeysWith: +)
            for i in buckets.indices { buckets[i] += other.buckets[i] }
            count += other.count
            sumSeconds += other.sumSeconds
            syncRuns.merge(other.syncRuns, uniquingKeysWith: +)
        }
    }

    /// Every request is counted, by whichever worker thread answers it: each thread counts into the shard its
    /// identity picks, so that the workers do not take turns at one lock per request. `render` adds the shards up.
    private let shards = (0..<8).map { _ in Locked(State()) }

    private var shard: Locked<State> {
        #if canImport(Glibc)
            let thread = UInt64(pthread_self())
        #else
            let thread = UInt64(UInt(bitPattern: pthread_self()))
        #endif
        return shards[Int((thread &* 0x9E37_79B9_7F4A_7C15) >> 61)]
    }

    /// Methods counted by name; any other is counted as `OTHER`, so that made-up methods cannot grow the table
    /// (and the exposition) without bound.
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"]

    func record(route: String, method: String, status: Int, nanoseconds: UInt64) {
        let seconds = Double(nanoseconds) / 1e9
        let method = Self.knownMethods.contains(method) ? method : "OTHER"
        shard.withLock { s in
            s.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            s.count += 1
            s.sumSeconds += seconds
            if let i = Self.bucketBounds.firstIndex(where: { seconds <= $0 }) { s.buckets[i] += 1 }
        }
    }

    func recordSyncRun(outcome: String) {
        shard.withLock { $0.syncRuns[outcome, default: 0] += 1 }
    }

    /// One value kept elsewhere (the store, the waiters), rendered with its HELP and TYPE lines.
    struct Sample {
        enum Kind: String { case counter, gauge }
        let name: String
        let help: String
        let kind: Kind
        let value: Int
    }

    /// The exposition text; `changesApplied` and the `samples` come from the store and the API.
    func render(changesApplied: Int, samples: [Sample] = []) -> String {
        var s = State()
        for shard in shards { s.add(shard.withLock { $0 }) }
        var out = "# HELP jobprep_http_requests_total HTTP requests answered, by route template, method and status.\n"
        out += "# TYPE jobprep_http_requests_total counter\n"
        for (key, count) in s.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out += "jobprep_http_requests_total{route=\"\(key.route)\",method=\"\(key.method)\",status=\"\(key.status)\"} \(count)\n"
        }
        out += "# HELP jobprep_http_request_duration_seconds Time from a complete request to its answer.\n"
        out += "# TYPE jobprep_http_request_duration_seconds histogram\n"
        var cumulative = 0
        for (i, bound) in Self.bucketBounds.enumerated() {
            cumulative += s.buckets[i]
            out += "jobprep_http_request_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "jobprep_http_request_duration_seconds_bucket{le=\"+Inf\"} \(s.count)\n"
        out += "jobprep_http_request_duration_seconds_sum \(s.sumSeconds)\n"
        out += "jobprep_http_request_duration_seconds_count \(s.count)\n"
        out += "# HELP jobprep_changes_applied_total Change cells applied to this replica (local and merged).\n"
        out += "# TYPE jobprep_changes_applied_total counter\n"
        out += "jobprep_changes_applied_total \(changesApplied)\n"
        out += "# HELP jobprep_sync_runs_total Sync runs with peers, by outcome.\n"
        out += "# TYPE jobprep_sync_runs_total counter\n"
        if s.syncRuns.isEmpty { out += "jobprep_sync_runs_total{outcome=\"ok\"} 0\n" }
        for (outcome, count) in s.syncRuns.sorted(by: { $0.key < $1.key }) {
            out += "jobprep_sync_runs_total{outcome=\"\(outcome)\"} \(count)\n"
        }
        for sample in samples {
            out += "# HELP \(sample.name) \(sample.help)\n# TYPE \(sample.name) \(sample.kind.rawValue)\n"
            out += "\(sample.name) \(sample.value)\n"
        }
        return out
    }
}
