import Foundation
import Model
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// What a writer was told, response by response.
enum WriteOutcome: Sendable, Equatable {
    /// The whole success response arrived: the write is acknowledged.
    case acknowledged
    /// A complete refusal arrived (its status).
    case refused(Int)
    /// The connection ended (or could not be made) before a single byte of the response: not acknowledged.
    case closedBeforeAnswer
    /// The connection ended in the middle of a response, or something else went wrong: a bug.
    case broken(String)
}

/// Everything writers were told, shared between their threads.
final class WriteLedger: Sendable {
    private struct State {
        /// Record ids whose create (or batch) was acknowledged.
        var created: Set<String> = []
        /// Per counter record, the highest rank acknowledged by a PATCH (each counter has one writer).
        var counters: [String: Int64] = [:]
        var outcomes: [String: Int] = [:]
        var problems: [String] = []
        var inFlightAtStop = 0
    }

    // Shared (NSLock) rather than Mutex, which ThreadSanitizer cannot see through on Linux.
    private let state = Shared(State())

    var created: Set<String> { state.update { $0.created } }
    var counters: [String: Int64] { state.update { $0.counters } }
    var problems: [String] { state.update { $0.problems } }
    /// How many responses of each kind ("201", "503", "closed", ...).
    var outcomes: [String: Int] { state.update { $0.outcomes } }

    func record(_ outcome: WriteOutcome, created ids: [String] = [], counter: (String, Int64)? = nil) {
        state.update { state in
            switch outcome {
            case .acknowledged:
                state.created.formUnion(ids)
                if let (id, rank) = counter { state.counters[id] = max(state.counters[id] ?? 0, rank) }
                state.outcomes["acknowledged", default: 0] += 1
            case .refused(let status):
                state.outcomes["\(status)", default: 0] += 1
            case .closedBeforeAnswer:
                state.outcomes["closed", default: 0] += 1
            case .broken(let why):
                state.outcomes["broken", default: 0] += 1
                state.problems.append(why)
            }
        }
    }
}

/// Threads that write to a daemon as fast as it answers: creates with client-chosen ids, PATCHes of a counter
/// record of their own (rank 1, 2, 3, … in order), and batches of three creates. Each stops at the first connection
/// that ends, or when told to.
final class LoadWriters: Sendable {
    let ledger: WriteLedger
    private let stopping = Atomic(false)
    private let group = DispatchGroup()

    /// `refusals`: statuses that are a clean answer here besides success (503 during shutdown).
    init(
        port: UInt16, token: String, prefix: String, writers: Int, counterRanks: [String: Int64], ledger: WriteLedger,
        refusals: Set<Int> = []
    ) {
        self.ledger = ledger
        for w in 0..<writers {
            let counter = "counter-\(w)"
            let firstRank = (counterRanks[counter] ?? 0) + 1
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                run(
                    port: port, token: token, prefix: "\(prefix)-w\(w)", counter: counter, firstRank: firstRank,
                    refusals: refusals)
            }
            thread.name = "load-writer-\(w)"
            thread.start()
        }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        group.wait()
    }

    /// Waits until every writer has stopped by itself (its connection ended).
    func waitUntilDone(timeout: Duration) -> Bool {
        group.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .success
    }

    private func run(port: UInt16, token: String, prefix: String, counter: String, firstRank: Int64, refusals: Set<Int>)
    {
        guard let connection = try? HTTPTestClient(port: port, timeout: .seconds(30)) else {
            ledger.record(.closedBeforeAnswer)
            return
        }
        let auth = ("Authorization", "Bearer \(token)")
        var rank = firstRank
        var n = 0
        while !stopping.load(ordering: .relaxed) {
            n += 1
            let method: String
            let target: String
            var ids: [String] = []
            var patch: (String, Int64)?
            let body: JSONValue
            if n % 10 == 0 {
                ids = ["a", "b", "c"].map { "\(prefix)-\(n)\($0)" }
                method = "POST"
                target = "/v1/batch"
                body = [
                    "operations": .array(
                        ids.map {
                            ["method": "POST", "path": "/v1/values", "body": ["id": .string($0), "name": "batched"]]
                        })
                ]
            } else if n % 5 == 0 {
                method = "PATCH"
                target = "/v1/values/\(counter)"
                body = ["rank": .int(rank)]
                patch = (counter, rank)
            } else {
                ids = ["\(prefix)-\(n)"]
                method = "POST"
                target = "/v1/values"
                body = ["id": .string(ids[0]), "name": "written under load"]
            }
            let outcome = Self.send(connection, method, target, body, auth: auth, refusals: refusals)
            ledger.record(outcome, created: ids, counter: patch)
            if patch != nil, outcome == .acknowledged { rank += 1 }
            switch outcome {
            case .acknowledged: continue
            case .refused(let status) where status == 503: return  // the server closes after a 503
            case .refused: continue
            case .closedBeforeAnswer, .broken: return
            }
        }
    }

    private static func send(
        _ connection: HTTPTestClient, _ method: String, _ target: String, _ body: JSONValue, auth: (String, String),
        refusals: Set<Int>
    ) -> WriteOutcome {
        let contentType = method == "PATCH" ? "application/merge-patch+json" : "application/json"
        do {
            try connection.send(
                method, target, headers: [auth, ("Content-Type", contentType)], body: JSONWriter().bytes(body))
        } catch {
            return .closedBeforeAnswer
        }
        let receivedBefore = connection.receivedByteCount
        do {
            let response = try connection.readResponse(method: method)
            let expected = method == "PATCH" || target == "/v1/batch" ? 200 : 201
            if response.status == expected { return .acknowledged }
            if refusals.contains(response.status) { return .refused(response.status) }
            return .broken("\(method) \(target) → \(response.status): \(response.text)")
        } catch {
            if connection.receivedByteCount == receivedBefore { return .closedBeforeAnswer }
            return .broken("\(method) \(target): the connection ended in the middle of a response: \(error)")
        }
    }
}
