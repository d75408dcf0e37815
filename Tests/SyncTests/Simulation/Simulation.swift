import Foundation
import Model
import Storage
import Sync
import TestSupport

/// A randomized run of several replicas editing a small key space offline and syncing with each
/// other through every kind of trouble; at the end, after quiet full syncs, every replica must
/// hold identical records.
struct Simulation {
    let seed: UInt64
    var rng: SplitMix64
    let replicas: [Replica]
    let clock: UInt64 = 1_790_000_000_000
    var log: [String] = []
    /// Record ids the replicas share, so that edits collide.
    let ids = ["a", "b", "c", "d"]
    let collections = [Catalog.values, Catalog.companies]

    init(seed: UInt64, replicaCount: Int? = nil) throws {
        self.seed = seed
        rng = SplitMix64(seed: seed)
        let count = replicaCount ?? Int.random(in: 3...5, using: &rng)
        var replicas: [Replica] = []
        for i in 0..<count {
            // Offsets within the drift bound (±2 minutes of a 5-minute limit).
            let offset = Int64.random(in: -120_000...120_000, using: &rng)
            replicas.append(try Replica(name: "r\(i)", clock: SimulatedClock(base: clock, offset: offset)))
        }
        self.replicas = replicas
    }

    mutating func run(steps: Int) throws {
        for _ in 0..<steps {
            for replica in replicas { replica.clock.advance(by: UInt64.random(in: 0...50, using: &rng)) }
            let roll = Double.random(in: 0..<1, using: &rng)
            let replica = replicas.randomElement(using: &rng)!
            switch roll {
            case ..<0.45: try edit(replica)
            case ..<0.75: try sync(replica, with: other(than: replica), faults: randomFaults())
            case ..<0.82: try rawDelivery(from: replica, to: other(than: replica))
            case ..<0.87:
                log.append("\(replica.name) restarts")
                try replica.restart()
            case ..<0.92:
                // The wall clock steps back (NTP correction), still within the drift bound.
                let offset = Int64.random(in: -120_000...0, using: &rng)
                log.append("\(replica.name) clock offset \(offset)")
                replica.clock.setOffset(offset)
            default:
                try sync(replica, with: other(than: replica), faults: .none)
            }
        }
    }

    /// Full syncs with no faults, in rounds, until nothing moves; then the states must agree.
    mutating func settle() throws -> [[String]] {
        for round in 0..<6 {
            var moved = 0
            for a in replicas {
                for b in replicas where a !== b {
                    let report = try engine(a, b, faults: .none, pageSize: 500).run()
                    moved += report.pulled.applied + report.pushed.applied
                }
            }
            if moved == 0 {
                log.append("settled after \(round + 1) rounds")
                break
            }
        }
        return try replicas.map { try $0.state() }
    }

    private mutating func other(than replica: Replica) -> Replica {
        replicas.filter { $0 !== replica }.randomElement(using: &rng)!
    }

    private mutating func randomFaults() -> Faults {
        Faults(
            drop: Double.random(in: 0...0.2, using: &rng), lostAcknowledgement: Double.random(in: 0...0.2, using: &rng),
            duplicate: Double.random(in: 0...0.3, using: &rng), reorder: Double.random(in: 0...0.5, using: &rng))
    }

    private mutating func engine(_ local: Replica, _ remote: Replica, faults: Faults, pageSize: Int) -> SyncEngine {
        var engine = SyncEngine(
            local: local.store, remote: InProcessRemote(target: remote, faults: faults, rng: SplitMix64(seed: rng.next())),
            peer: remote.name)
        engine.pageSize = pageSize
        return engine
    }

    private mutating func sync(_ a: Replica, with b: Replica, faults: Faults) throws {
        let pageSize = Int.random(in: 1...30, using: &rng)
        do {
            let report = try engine(a, b, faults: faults, pageSize: pageSize).run()
            log.append("\(a.name) ⇄ \(b.name) page \(pageSize): \(report.summary)")
        } catch is SimulatedNetworkError {
            log.append("\(a.name) ⇄ \(b.name) page \(pageSize): interrupted")
        }
    }

    /// A front end or a flaky relay delivering an arbitrary, shuffled, possibly repeated subset of
    /// one replica's log to another, outside the engine and its checkpoints.
    private mutating func rawDelivery(from a: Replica, to b: Replica) throws {
        let all = try a.store.read { try $0.changes(after: 0, limit: 100_000) }.changes
        guard !all.isEmpty else { return }
        var subset = all.filter { _ in Bool.random(using: &rng) }
        subset += subset.prefix(Int.random(in: 0...subset.count, using: &rng))
        subset.shuffle(using: &rng)
        let cells = subset
        let counts = try b.store.write { session in try session.applyRemote(cells, from: a.store.nodeID) }
        log.append("\(a.name) → \(b.name) raw \(cells.count) cells: \(counts.applied) applied")
    }

    private mutating func edit(_ replica: Replica) throws {
        let collection = collections.randomElement(using: &rng)!
        let id = ids.randomElement(using: &rng)!
        let store = replica.store
        let alive = try store.record(collection, id: id) != nil
        let name = JSONValue.string("\(replica.name)-\(rng.next() % 1000)")
        let action: String
        if !alive {
            let input = CreateInput(
                id: id, values: Dictionary(uniqueKeysWithValues: collection.leaves.map { ($0.name, $0.defaultValue) })
                    .merging(["name": name]) { $1 })
            _ = try store.write { session in try session.create(collection, input) }
            action = "creates"
        } else if Int.random(in: 0..<4, using: &rng) == 0 {
            try store.write { session in try session.delete(collection, id: id) }
            action = "deletes"
        } else {
            let field = collection.leaves.filter { $0.type.isTextual || $0.name == "name" }.randomElement(using: &rng)!
            let value: JSONValue = field.name == "name" ? name : .string("note \(rng.next() % 100)")
            _ = try store.write { session in try session.update(collection, id: id, values: [field.name: value]) }
            action = "updates \(field.name) of"
        }
        log.append("\(replica.name) \(action) \(collection.name)/\(id)")
    }
}
