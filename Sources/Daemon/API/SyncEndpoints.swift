import Foundation
import Model
import Storage
import Sync

/// The sync protocol: pull (`GET /v1/sync/changes`, long-polling with `wait`), push
/// (`POST /v1/sync/changes`) and `GET /v1/sync/status`.
extension API {
    static let maxChangesPerPage = 10_000
    static let maxWaitSeconds = 60

    func syncChanges(_ exchange: Exchange) {
        guard check(exchange, ["GET", "POST"]) else { return }
        if exchange.request.method == "POST" {
            pushChanges(exchange)
        } else {
            pullChanges(exchange)
        }
    }

    private struct PullQuery {
        var since: Int64 = 0
        var limit = 1000
        var wait = 0
        var requester: NodeID?
    }

    private func parsePull(_ request: HTTPRequest) throws -> PullQuery {
        var query = PullQuery()
        var errors: [FieldError] = []
        var version: JSONValue?
        var schema: JSONValue?
        for item in request.query {
            switch item.name {
            case "since":
                if let n = Int64(item.value), n >= 0 {
                    query.since = n
                } else {
                    errors.append(FieldError("since", "must be a cursor this replica gave (a non-negative integer)"))
                }
            case "limit":
                if let n = Int(item.value), (1...Self.maxChangesPerPage).contains(n) {
                    query.limit = n
                } else {
                    errors.append(FieldError("limit", "must be an integer from 1 to \(Self.maxChangesPerPage)"))
                }
            case "wait":
                if let n = Int(item.value), (0...Self.maxWaitSeconds).contains(n) {
                    query.wait = n
                } else {
                    errors.append(FieldError("wait", "must be 0 to \(Self.maxWaitSeconds) seconds"))
                }
            case "node_id":
                if let node = NodeID(hex: item.value) {
                    query.requester = node
                } else {
                    errors.append(FieldError("node_id", "must be 32 lowercase hex digits"))
                }
            case "protocol": version = Int64(item.value).map(JSONValue.int) ?? .string(item.value)
            case "schema": schema = .string(item.value)
            default: errors.append(FieldError(item.name, "is not a parameter of this endpoint"))
            }
        }
        if !errors.isEmpty { throw Problem.invalidQuery(ValidationFailure(errors)) }
        try SyncWire.checkCompatible(protocol: version, schema: schema)
        return query
    }

    private func pullChanges(_ exchange: Exchange) {
        let request = exchange.request
        let query: PullQuery
        do {
            _ = try authenticator.authorize(request, .syncRead)
            query = try parsePull(request)
        } catch {
            return exchange.fail(error)
        }
        let deadline = Monotonic.nanoseconds() + UInt64(query.wait) * 1_000_000_000
        servePull(exchange, query, deadline: deadline, socket: exchange.responder.socket)
    }

    /// Answers with the page after the cursor; with nothing to send and time left, parks the
    /// request until the log grows or the deadline passes, then answers whatever there is.
    /// `socket` is the connection's, read while libmicrohttpd still ran the handler, so that a parked request whose
    /// client hangs up is let go at once.
    private func servePull(_ exchange: Exchange, _ query: PullQuery, deadline: UInt64, socket: Int32?) {
        let page: ChangePage
        do {
            page = try store.read { session in
                let status = try session.logStatus()
                if query.since > 0, query.since < status.compactedThrough {
                    throw Problem.cursorExpired(query.since, horizon: status.compactedThrough)
                }
                return try session.changes(after: query.since, limit: query.limit, excluding: query.requester)
            }
        } catch {
            return exchange.fail(error)
        }
        let waitMore =
            page.changes.isEmpty && !page.hasMore && Monotonic.nanoseconds() < deadline && !waiters.isStopped
        guard waitMore else {
            return exchange.respond(Responses.json(bytes: SyncWire.page(page, node: store.nodeID)))
        }
        var next = query
        next.since = page.cursor
        let resumed = next
        waiters.wait(after: page.cursor, deadline: deadline, socket: socket) { [self] clientGone in
            // A client that hung up gets its answer at once: sending it fails, and libmicrohttpd closes the connection.
            let stillDue = !clientGone && Monotonic.nanoseconds() < deadline
            servePull(exchange, resumed, deadline: stillDue ? deadline : 0, socket: socket)
        }
    }

    private func pushChanges(_ exchange: Exchange) {
        let request = exchange.request
        let sender: NodeID
        let changes: [Change]
        do {
            _ = try authenticator.authorize(request, .syncWrite)
            guard let body = try request.jsonBody().objectValue else {
                throw ValidationFailure("", "the body must be an object: {node_id, protocol, schema, changes}")
            }
            for key in body.keys.sorted() where !["node_id", "protocol", "schema", "changes"].contains(key) {
                throw ValidationFailure(key, "is not a member of a push (node_id, protocol, schema, changes)")
            }
            try SyncWire.checkCompatible(protocol: body["protocol"], schema: body["schema"])
            guard let node = body["node_id"]?.stringValue.flatMap(NodeID.init(hex:)) else {
                throw ValidationFailure("node_id", "must be the sending replica's node id, 32 lowercase hex digits")
            }
            guard node != store.nodeID else {
                throw Problem.incompatible(
                    "the sender has this replica's own node id \(node); a copied database must be started once to take a new one"
                )
            }
            guard let items = body["changes"]?.arrayValue else {
                throw ValidationFailure("changes", "must be an array of changes")
            }
            var decoded: [Change] = []
            var errors: [FieldError] = []
            decoded.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                switch ChangeCodec.decode(item, path: "changes[\(i)]") {
                case .success(let change): decoded.append(change)
                case .failure(let failure): errors += failure.errors
                }
                if errors.count >= 100 { break }
            }
            if !errors.isEmpty { throw ValidationFailure(errors) }
            sender = node
            changes = decoded
        } catch {
            return exchange.fail(error)
        }
        store.submit({ session in try session.applyRemote(changes, from: sender) }) { result in
            switch result {
            case .success(let counts):
                exchange.respond(
                    Responses.json(["applied": .int(Int64(counts.applied)), "ignored": .int(Int64(counts.ignored))]))
            case .failure(let skew as ClockSkewError):
                exchange.fail(.clockSkew(peer: sender.hex, skew))
            case .failure(let error):
                exchange.fail(error)
            }
        }
    }

    func syncStatus(_ exchange: Exchange) {
        guard check(exchange, ["GET"]) else { return }
        let request = exchange.request
        exchange.answer {
            _ = try authenticator.authorize(request, .syncRead)
            let (status, peers) = try store.read { session in
                try request.refuseQuery()
                return (try session.logStatus(), try session.peers())
            }
            return Responses.json([
                "node_id": .string(store.nodeID.hex),
                "clock": .string(store.clock.hex),
                "protocol": .int(Int64(SyncProtocol.version)),
                "schema": .string(Catalog.fingerprint),
                "log": [
                    "last_sequence": .int(status.lastSequence), "rows": .int(Int64(status.rows)),
                    "compacted_through": .int(status.compactedThrough),
                ],
                "peers": .array(
                    peers.map { peer in
                        [
                            "url": .string(peer.url), "node_id": peer.nodeID.map { .string($0.hex) } ?? .null,
                            "pulled_cursor": .string(String(peer.pulledCursor)),
                            "pushed_sequence": .int(peer.pushedSequence),
                            "last_sync_at": peer.lastSyncAt.map(JSONValue.string) ?? .null,
                            "last_error": peer.lastError.map(JSONValue.string) ?? .null,
                        ]
                    }),
            ])
        }
    }
}
