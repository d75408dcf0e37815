import Foundation
import Model
import Sync

/// A store as one side of a ``SyncEngine`` run.
extension Store: SyncLocal {
    public var syncNodeID: NodeID { nodeID }

    public func checkpoint(peer: String) throws -> SyncCheckpoint {
        guard let saved = try read({ try $0.peer(peer) }) else { return SyncCheckpoint() }
        return SyncCheckpoint(peerNode: saved.nodeID, pulled: saved.pulledCursor, pushed: saved.pushedSequence)
    }

    public func applyPulled(_ batch: ChangeBatch, peer: String) throws -> MergeCounts {
        do {
            return try write { session in
                let counts = try session.applyRemote(batch.changes, from: batch.nodeID)
                let now = CalendarDate.formatDateTime(millis: Int64(Date().timeIntervalSince1970 * 1000))
                try session.savePulled(peer: peer, node: batch.nodeID, cursor: batch.cursor, at: now)
                return counts
            }
        } catch let skew as ClockSkewError {
            throw SyncError.clockSkew(peer: peer, skewMillis: skew.skewMillis, limitMillis: skew.maxSkewMillis)
        }
    }

    public func outgoing(after sequence: Int64, limit: Int, excluding: NodeID?) throws -> ChangeBatch {
        let page = try read { try $0.changes(after: sequence, limit: limit, excluding: excluding) }
        return ChangeBatch(nodeID: nodeID, changes: page.changes, cursor: page.cursor, hasMore: page.hasMore)
    }

    public func savePushed(through sequence: Int64, peer: String) throws {
        try write { session in try session.savePushed(peer: peer, through: sequence) }
    }

    public func resetPeer(_ peer: String, node: NodeID) throws {
        try write { session in
            var checkpoint = PeerCheckpoint(url: peer)
            checkpoint.nodeID = node
            try session.savePeer(checkpoint)
        }
    }

    /// Records why the last sync with a peer failed (shown by `GET /v1/sync/status`).
    public func recordSyncError(_ message: String?, peer: String) throws {
        try write { session in try session.saveSyncError(peer: peer, message) }
    }
}
