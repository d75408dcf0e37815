import Foundation
import GRDB
import Model
import Sync

/// Where sync with one peer stands.
public struct PeerCheckpoint: Sendable, Equatable {
    /// The peer, as the user named it (its base URL, or any stable name for in-process peers).
    public let url: String
    /// The peer's node id when last seen; a different one means the peer was restored or replaced,
    /// and both cursors start over.
    public var nodeID: NodeID?
    /// The peer's log sequence this replica has pulled and applied through.
    public var pulledCursor: Int64
    /// This replica's log sequence the peer has acknowledged through.
    public var pushedSequence: Int64
    public var lastSyncAt: String?
    public var lastError: String?

    public init(url: String) {
        self.url = url
        nodeID = nil
        pulledCursor = 0
        pushedSequence = 0
    }
}

extension ReadSession {
    public func peer(_ url: String) throws -> PeerCheckpoint? {
        try Row.fetchOne(
            db, sql: "SELECT url, node_id, pulled_cursor, pushed_seq, last_sync_at, last_error FROM peers WHERE url = ?",
            arguments: [url]
        ).map(PeerCheckpoint.init(row:))
    }

    public func peers() throws -> [PeerCheckpoint] {
        try Row.fetchAll(
            db, sql: "SELECT url, node_id, pulled_cursor, pushed_seq, last_sync_at, last_error FROM peers ORDER BY url"
        ).map(PeerCheckpoint.init(row:))
    }
}

extension MutationSession {
    public func peer(_ url: String) throws -> PeerCheckpoint? {
        try ReadSession(db: db).peer(url)
    }

    /// Saves the pull side of a checkpoint (in the transaction that applied the pulled batch),
    /// leaving the push side as it is: pulling and pushing may run concurrently.
    public func savePulled(peer url: String, node: NodeID, cursor: Int64, at time: String) throws {
        try db.execute(
            sql: """
                INSERT INTO peers (url, node_id, pulled_cursor, last_sync_at, last_error) VALUES (?, ?, ?, ?, NULL)
                ON CONFLICT (url) DO UPDATE SET node_id = excluded.node_id, pulled_cursor = excluded.pulled_cursor,
                    last_sync_at = excluded.last_sync_at, last_error = NULL
                """,
            arguments: [url, node.hex, cursor, time])
    }

    /// Saves the push side: the peer has acknowledged this replica's log through `sequence`.
    public func savePushed(peer url: String, through sequence: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO peers (url, pushed_seq) VALUES (?, ?)
                ON CONFLICT (url) DO UPDATE SET pushed_seq = max(pushed_seq, excluded.pushed_seq)
                """,
            arguments: [url, sequence])
    }

    public func saveSyncError(peer url: String, _ message: String?) throws {
        try db.execute(
            sql: """
                INSERT INTO peers (url, last_error) VALUES (?, ?)
                ON CONFLICT (url) DO UPDATE SET last_error = excluded.last_error
                """,
            arguments: [url, message])
    }

    /// Replaces a checkpoint whole (starting over with a peer).
    public func savePeer(_ checkpoint: PeerCheckpoint) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO peers (url, node_id, pulled_cursor, pushed_seq, last_sync_at, last_error)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                checkpoint.url, checkpoint.nodeID?.hex, checkpoint.pulledCursor, checkpoint.pushedSequence,
                checkpoint.lastSyncAt, checkpoint.lastError,
            ])
    }
}

extension PeerCheckpoint {
    init(row: Row) {
        self.init(url: row[0])
        nodeID = (row[1] as String?).flatMap(NodeID.init(hex:))
        pulledCursor = row[2]
        pushedSequence = row[3]
        lastSyncAt = row[4]
        lastError = row[5]
    }
}
