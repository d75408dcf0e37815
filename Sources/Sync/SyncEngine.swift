import Model

/// The version of the sync protocol; both sides must speak the same one.
public enum SyncProtocol {
    public static let version = 1
}

/// A page of a replica's change log, as fetched from it.
public struct ChangeBatch: Sendable {
    /// The replica that served the page.
    public let nodeID: NodeID
    public let changes: [Change]
    /// The last log sequence the page covers; the next fetch starts after it.
    public let cursor: Int64
    public let hasMore: Bool

    public init(nodeID: NodeID, changes: [Change], cursor: Int64, hasMore: Bool) {
        self.nodeID = nodeID
        self.changes = changes
        self.cursor = cursor
        self.hasMore = hasMore
    }
}

public enum SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The remote compacted its log past our cursor (HTTP 410): pull again from the start.
    case cursorCompacted
    /// The remote has our own node id: one of the two is a copy that was not given a new identity.
    case sameNode(NodeID)
    /// The remote speaks another protocol version or schema (HTTP 409).
    case incompatible(String)
    /// A clock reading from the peer is too far ahead of ours; nothing of that batch was applied.
    case clockSkew(peer: String, skewMillis: UInt64, limitMillis: UInt64)
    /// The transport failed (connection, TLS, HTTP status).
    case transport(String)

    public var description: String {
        switch self {
        case .cursorCompacted: return "the peer compacted its change log past our cursor"
        case .sameNode(let node): return "the peer has this replica's own node id \(node); is it a copy of this database?"
        case .incompatible(let why): return why
        case .clockSkew(let peer, let skew, let limit):
            return "peer \(peer) sent a clock \(skew / 1000) s ahead of this replica's (limit \(limit / 1000) s); nothing applied"
        case .transport(let why): return why
        }
    }
}

/// Where sync with one peer stands, as the engine needs it.
public struct SyncCheckpoint: Sendable, Equatable {
    public var peerNode: NodeID?
    public var pulled: Int64
    public var pushed: Int64

    public init(peerNode: NodeID? = nil, pulled: Int64 = 0, pushed: Int64 = 0) {
        self.peerNode = peerNode
        self.pulled = pulled
        self.pushed = pushed
    }
}

/// The other side of a sync: a replica reached over HTTP, or in-process in the simulation.
public protocol SyncRemote {
    /// Changes after `cursor` in the remote's log, leaving out those it received from `requester`.
    /// Throws ``SyncError/cursorCompacted`` when the cursor is behind the remote's compaction horizon.
    func fetch(after cursor: Int64, limit: Int, requester: NodeID) throws -> ChangeBatch
    /// Sends changes, which the remote applies all or none.
    func send(_ changes: [Change], from sender: NodeID) throws -> MergeCounts
}

/// This side of a sync: a replica's store.
public protocol SyncLocal {
    var syncNodeID: NodeID { get }
    func checkpoint(peer: String) throws -> SyncCheckpoint
    /// Applies a fetched batch and saves the pulled cursor in the same transaction, so an
    /// interrupted sync resumes where it stopped and never skips.
    func applyPulled(_ batch: ChangeBatch, peer: String) throws -> MergeCounts
    /// Local log rows after `sequence` (about `limit` cells), leaving out those received from `excluding`.
    func outgoing(after sequence: Int64, limit: Int, excluding: NodeID?) throws -> ChangeBatch
    func savePushed(through sequence: Int64, peer: String) throws
    /// Starts over with a peer that now has another identity (restored or replaced).
    func resetPeer(_ peer: String, node: NodeID) throws
}

/// What one sync run moved.
public struct SyncReport: Sendable, Equatable {
    public var pulled = MergeCounts()
    public var pushed = MergeCounts()
    public var pulledPages = 0
    public var pushedPages = 0
    /// The peer had compacted past our cursor or changed identity, so everything was pulled again.
    public var fullResync = false

    public init() {}

    public var summary: String {
        "pulled \(pulled.applied + pulled.ignored) changes (\(pulled.applied) applied, \(pulled.ignored) already known) "
            + "in \(pulledPages) pages; pushed \(pushed.applied + pushed.ignored) changes (\(pushed.applied) applied, "
            + "\(pushed.ignored) already known) in \(pushedPages) pages" + (fullResync ? "; full resync" : "")
    }
}

/// Pulls a peer's changes, then pushes ours, until both logs are exchanged.
public struct SyncEngine {
    public let local: SyncLocal
    public let remote: SyncRemote
    public let peer: String
    public var pageSize: Int
    /// Called after every page with the report so far.
    public var progress: ((SyncReport) -> Void)?

    public init(local: SyncLocal, remote: SyncRemote, peer: String, pageSize: Int = 5000) {
        self.local = local
        self.remote = remote
        self.peer = peer
        self.pageSize = pageSize
    }

    public func run() throws -> SyncReport {
        var report = SyncReport()
        var checkpoint = try local.checkpoint(peer: peer)
        try pull(&checkpoint, &report)
        try push(checkpoint, &report)
        return report
    }

    /// Pulls until the peer has nothing more (with a long-polling remote, that last fetch waits).
    public func pull() throws -> SyncReport {
        var report = SyncReport()
        var checkpoint = try local.checkpoint(peer: peer)
        try pull(&checkpoint, &report)
        return report
    }

    /// Pushes everything the peer has not acknowledged yet.
    public func push() throws -> SyncReport {
        var report = SyncReport()
        try push(try local.checkpoint(peer: peer), &report)
        return report
    }

    private func pull(_ checkpoint: inout SyncCheckpoint, _ report: inout SyncReport) throws {
        var cursor = checkpoint.pulled
        while true {
            let batch: ChangeBatch
            do {
                batch = try remote.fetch(after: cursor, limit: pageSize, requester: local.syncNodeID)
            } catch SyncError.cursorCompacted where cursor > 0 {
                cursor = 0
                report.fullResync = true
                continue
            }
            if batch.nodeID == local.syncNodeID { throw SyncError.sameNode(batch.nodeID) }
            if let known = checkpoint.peerNode, known != batch.nodeID {
                try local.resetPeer(peer, node: batch.nodeID)
                checkpoint = SyncCheckpoint(peerNode: batch.nodeID)
                cursor = 0
                report.fullResync = true
                continue
            }
            report.pulled = report.pulled + (try local.applyPulled(batch, peer: peer))
            report.pulledPages += 1
            checkpoint.peerNode = batch.nodeID
            cursor = batch.cursor
            checkpoint.pulled = cursor
            progress?(report)
            if !batch.hasMore { break }
        }
    }

    private func push(_ checkpoint: SyncCheckpoint, _ report: inout SyncReport) throws {
        var sequence = checkpoint.pushed
        while true {
            let batch = try local.outgoing(after: sequence, limit: pageSize, excluding: checkpoint.peerNode)
            if !batch.changes.isEmpty {
                report.pushed = report.pushed + (try remote.send(batch.changes, from: local.syncNodeID))
                report.pushedPages += 1
            }
            if batch.cursor > sequence { try local.savePushed(through: batch.cursor, peer: peer) }
            sequence = batch.cursor
            progress?(report)
            if !batch.hasMore { break }
        }
    }
}
