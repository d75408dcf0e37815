import Foundation
import Model
import Storage
import Sync
import TestSupport

/// What can go wrong between two replicas, decided by the simulation's seeded generator.
struct Faults {
    /// Chance that a fetch or a send fails before reaching the other side.
    var drop = 0.0
    /// Chance that a send is applied but its acknowledgement is lost (a crash between the peer's
    /// apply and our checkpoint): the engine fails and sends it again next time.
    var lostAcknowledgement = 0.0
    /// Chance that a send is delivered twice.
    var duplicate = 0.0
    /// Chance that a send's cells arrive in another order.
    var reorder = 0.0

    static let none = Faults()
}

struct SimulatedNetworkError: Error {}

/// The far side of a sync, in process: calls the same store operations the HTTP endpoints call.
final class InProcessRemote: SyncRemote, @unchecked Sendable {
    let target: Replica
    let faults: Faults
    var rng: SplitMix64

    init(target: Replica, faults: Faults, rng: SplitMix64) {
        self.target = target
        self.faults = faults
        self.rng = rng
    }

    private func chance(_ p: Double) -> Bool { p > 0 && Double.random(in: 0..<1, using: &rng) < p }

    func fetch(after cursor: Int64, limit: Int, requester: NodeID) throws -> ChangeBatch {
        if chance(faults.drop) { throw SimulatedNetworkError() }
        let store = target.store
        let status = try store.read { try $0.logStatus() }
        if cursor > 0, cursor < status.compactedThrough { throw SyncError.cursorCompacted }
        let page = try store.read { try $0.changes(after: cursor, limit: limit, excluding: requester) }
        return ChangeBatch(nodeID: store.nodeID, changes: page.changes, cursor: page.cursor, hasMore: page.hasMore)
    }

    func send(_ changes: [Change], from sender: NodeID) throws -> MergeCounts {
        if chance(faults.drop) { throw SimulatedNetworkError() }
        var delivered = changes
        if chance(faults.reorder) { delivered.shuffle(using: &rng) }
        let store = target.store
        let cells = delivered
        var counts = try store.write { session in try session.applyRemote(cells, from: sender) }
        if chance(faults.duplicate) {
            counts = try store.write { session in try session.applyRemote(cells, from: sender) }
        }
        if chance(faults.lostAcknowledgement) { throw SimulatedNetworkError() }
        return counts
    }
}
