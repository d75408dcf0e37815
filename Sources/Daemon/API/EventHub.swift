import Foundation
import Model
import Storage
import Sync

/// `GET /v1/events`: Server-Sent Events of the change log as it commits. Each event is one log
/// row (one write): `id` is its sequence, `data` is `{"changes", "cursor", "node_id"}`. A client resumes
/// with `Last-Event-ID` (or `?since=`) and misses nothing; heartbeats keep idle streams honest.
///
/// New rows are read and formatted once, on one serial queue, and the same bytes go to every
/// subscriber; a subscriber behind the recent window catches up from the database first.
final class EventHub: Sendable {
    private struct Subscriber {
        let stream: ResponseStream
        var lastSent: Int64
    }

    private struct State {
        var nextID = 0
        var subscribers: [Int: Subscriber] = [:]
        /// The last sequence read into `recent`.
        var position: Int64 = -1
        /// Formatted events of the latest rows, oldest first.
        var recent: [(sequence: Int64, bytes: [UInt8])] = []
        var stopped = false
    }

    static let recentWindow = 2048
    private let state = Locked(State())
    private let store: Store
    private let queue = DispatchQueue(label: "jobprep.events")
    private let subscription = Locked<CommitSignal.Subscription?>(nil)
    private let tasks = Locked<[PeriodicTask]>([])
    private let heartbeatSeconds: Double

    init(store: Store, heartbeatSeconds: Double = 15) {
        self.store = store
        self.heartbeatSeconds = heartbeatSeconds
    }

    func start() {
        let ticker = PeriodicTask(every: 0.25) { [weak self] in
            // Commits by other processes are not signalled: look for them while anyone listens.
            guard let self, state.withLock({ !$0.subscribers.isEmpty }) else { return }
            queue.async { [weak self] in self?.pump() }
        }
        let heartbeat = PeriodicTask(every: heartbeatSeconds) { [weak self] in
            let streams = self?.state.withLock { $0.subscribers.values.map(\.stream) } ?? []
            for stream in streams { stream.send(": heartbeat\n\n") }
        }
        subscription.withLock {
            $0 = store.commits.subscribe { [weak self] _ in
                // Nobody listening: nothing to read (see `pump`).
                guard let self, state.withLock({ !$0.subscribers.isEmpty }) else { return }
                queue.async { [weak self] in self?.pump() }
            }
        }
        tasks.withLock { $0 = [ticker, heartbeat] }
        ticker.start()
        heartbeat.start()
    }

    /// Adds a subscriber that has seen everything through `after` (nil: only what commits from now on).
    func subscribe(_ stream: ResponseStream, after: Int64?) {
        let start: Int64
        if let after {
            start = after
        } else {
            start = (try? store.read { try $0.lastSequence() }) ?? 0
        }
        let id = state.withLock { s -> Int? in
            guard !s.stopped else { return nil }
            s.nextID += 1
            s.subscribers[s.nextID] = Subscriber(stream: stream, lastSent: start)
            return s.nextID
        }
        guard let id else { return stream.finish() }
        stream.onClose { [weak self] in
            guard let self else { return }
            state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
            queue.async { [weak self] in self?.pump() }  // lets the window go if that was the last subscriber
        }
        queue.async { [weak self] in self?.pump() }
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    func stop() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
        subscription.withLock { $0 = nil }
        let streams = state.withLock { s -> [ResponseStream] in
            s.stopped = true
            defer { s.subscribers.removeAll() }
            return s.subscribers.values.map(\.stream)
        }
        for stream in streams { stream.finish() }
        queue.sync {}  // a pump queued by a last commit finishes before the store closes
    }

    /// Reads new rows into the recent window and sends every subscriber what it has not seen.
    ///
    /// With no subscriber it only drops the window: reading and formatting every committed row for nobody cost
    /// about a fifth of the daemon's CPU per create (Benchmarks/PROFILE.md). The next subscriber's pump starts the
    /// window again from the log's end, and the subscriber catches up from the database.
    private func pump() {
        let listening = state.withLock { s -> Bool? in
            if s.stopped { return nil }
            if s.subscribers.isEmpty {
                s.position = -1
                s.recent.removeAll()
            }
            return !s.subscribers.isEmpty
        }
        guard listening == true else { return }
        do {
            var position = state.withLock { $0.position }
            if position < 0 {
                position = try store.read { try $0.lastSequence() }
                state.withLock { $0.position = position }
            }
            while true {
                let entries = try store.read { try $0.logEntries(after: position, limit: 500) }
                guard !entries.isEmpty else { break }
                let events = entries.map { (sequence: $0.sequence, bytes: Self.event($0, node: store.nodeID)) }
                position = entries.last!.sequence
                state.withLock { s in
                    s.recent += events
                    if s.recent.count > Self.recentWindow { s.recent.removeFirst(s.recent.count - Self.recentWindow) }
                    s.position = position
                }
                if entries.count < 500 { break }
            }
            try deliver()
        } catch {
            // A read failed (the store is closing); the next commit or tick tries again.
        }
    }

    private func deliver() throws {
        let (subscribers, recent, position) = state.withLock { s in (s.subscribers, s.recent, s.position) }
        let windowStart = recent.first?.sequence ?? (position + 1)
        for (id, subscriber) in subscribers where subscriber.lastSent < position {
            var lastSent = subscriber.lastSent
            // Behind the window: catch up from the database, page by page, up to the window's first row. A page
            // usually reaches into the window (rows committed since the window began are in the database too): its
            // rows before the window are sent all the same. Stop only when a page has none (a compacted gap).
            while lastSent + 1 < windowStart {
                let entries = try store.read { try $0.logEntries(after: lastSent, limit: 500) }
                let older = entries.prefix { $0.sequence < windowStart }
                guard let last = older.last else { break }
                var bytes: [UInt8] = []
                for entry in older { bytes += Self.event(entry, node: store.nodeID) }
                subscriber.stream.send(bytes)
                lastSent = last.sequence
            }
            var bytes: [UInt8] = []
            for event in recent where event.sequence > lastSent { bytes += event.bytes }
            subscriber.stream.send(bytes)
            state.withLock { s in
                if s.subscribers[id] != nil { s.subscribers[id]!.lastSent = position }
            }
        }
    }

    /// The event for one log row. `node_id` names this replica: sequences are its own, so a client resuming after
    /// the server was restored from a backup (a new node id) knows to start again from the beginning.
    static func event(_ entry: LogEntry, node: NodeID) -> [UInt8] {
        var out = Array("id: \(entry.sequence)\nevent: change\ndata: {\"changes\":[".utf8)
        let writer = JSONWriter()
        for (i, change) in entry.changes.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            writer.write(ChangeCodec.encode(change), into: &out)
        }
        out += Array("],\"cursor\":\"\(entry.sequence)\",\"node_id\":\"\(node.hex)\"}\n\n".utf8)
        return out
    }
}

extension API {
    func events(_ exchange: Exchange) {
        guard check(exchange, ["GET"]) else { return }
        let request = exchange.request
        var after: Int64?
        do {
            _ = try authenticator.authorize(request, .syncRead)
            for item in request.query {
                guard item.name == "since", let n = Int64(item.value), n >= 0 else {
                    throw Problem.invalidQuery(ValidationFailure(item.name, "only since=<sequence> is accepted here"))
                }
                after = n
            }
            if let last = request.headers["Last-Event-ID"] {
                guard let n = Int64(last.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                    throw Problem.badRequest("Last-Event-ID must be an event id this stream sent")
                }
                after = n
            }
        } catch {
            return exchange.fail(error)
        }
        let stream = ResponseStream()
        exchange.respond(
            HTTPResponse(
                status: 200,
                headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"],
                body: .stream(stream)))
        stream.send("retry: 2000\n: connected\n\n")
        events.subscribe(stream, after: after)
    }
}
