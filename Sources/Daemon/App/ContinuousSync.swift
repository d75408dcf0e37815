import Foundation
import Logging
import Model
import Storage
import Sync

/// `serve --peer`: keeps a replica in sync with a peer while the daemon runs. One thread pulls
/// (long-polling the peer, so its changes arrive within moments), one pushes (woken by local
/// commits, and every few seconds for writes made by other processes). Failures are logged,
/// recorded in the peer's checkpoint, and retried with exponential backoff.
final class ContinuousSync: @unchecked Sendable {
    // @unchecked: `stopped` is guarded by `condition`; the threads own their HTTPPeer.
    private let store: Store
    private let address: PeerAddress
    private let token: String
    private let caFile: String?
    private let logger: Logger
    private let metrics: Metrics
    private let condition = NSCondition()
    private var stopped = false
    private var pushWanted = true
    private var subscription: CommitSignal.Subscription?
    private var threads: [Thread] = []

    init(store: Store, address: PeerAddress, token: String, caFile: String?, logger: Logger, metrics: Metrics) {
        self.store = store
        self.address = address
        self.token = token
        self.caFile = caFile
        self.logger = logger
        self.metrics = metrics
    }

    func start() {
        subscription = store.commits.subscribe { [weak self] _ in self?.wakePusher() }
        for name in ["pull", "push"] {
            let thread = Thread { [self] in name == "pull" ? pullLoop() : pushLoop() }
            thread.name = "jobprep-sync-\(name)"
            threads.append(thread)
            thread.start()
        }
        logger.info("syncing continuously with \(address)")
    }

    func stop() {
        subscription = nil
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    private func wakePusher() {
        condition.lock()
        pushWanted = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps up to `seconds`, or less when stopped (or, for the pusher, when a push is wanted).
    private func pause(_ seconds: Double, untilPushWanted: Bool = false) {
        condition.lock()
        let deadline = Date().addingTimeInterval(seconds)
        while !stopped, !(untilPushWanted && pushWanted), condition.wait(until: deadline) {}
        condition.unlock()
    }

    private func pullLoop() {
        let peer = HTTPPeer(address: address, token: token, caFile: caFile)
        peer.waitSeconds = 25
        var backoff = 1.0
        while !isStopped {
            do {
                let checkpoint = try store.checkpoint(peer: address.description)
                var cursor = checkpoint.pulled
                repeat {
                    let batch: ChangeBatch
                    do {
                        batch = try peer.fetch(after: cursor, limit: 5000, requester: store.nodeID)
                    } catch SyncError.cursorCompacted {
                        cursor = 0
                        continue
                    }
                    if let known = checkpoint.peerNode, known != batch.nodeID, cursor != 0 {
                        try store.resetPeer(address.description, node: batch.nodeID)
                        cursor = 0
                        continue
                    }
                    let counts = try store.applyPulled(batch, peer: address.description)
                    if counts.applied > 0 { logger.info("pulled \(counts.applied) changes from \(address)") }
                    cursor = batch.cursor
                    if !batch.hasMore { break }
                } while !isStopped
                backoff = 1
                metrics.recordSyncRun(outcome: "ok")
            } catch {
                metrics.recordSyncRun(outcome: "error")
                failed(error, retryIn: backoff)
                pause(backoff)
                backoff = min(backoff * 2, 60)
            }
        }
        peer.close()
    }

    private func pushLoop() {
        let peer = HTTPPeer(address: address, token: token, caFile: caFile)
        var backoff = 1.0
        while !isStopped {
            pause(5, untilPushWanted: true)
            condition.lock()
            pushWanted = false
            condition.unlock()
            if isStopped { break }
            do {
                var checkpoint = try store.checkpoint(peer: address.description)
                while true {
                    let batch = try store.outgoing(after: checkpoint.pushed, limit: 5000, excluding: checkpoint.peerNode)
                    if !batch.changes.isEmpty {
                        let counts = try peer.send(batch.changes, from: store.nodeID)
                        if counts.applied > 0 { logger.info("pushed \(counts.applied) changes to \(address)") }
                    }
                    if batch.cursor > checkpoint.pushed { try store.savePushed(through: batch.cursor, peer: address.description) }
                    checkpoint.pushed = batch.cursor
                    if !batch.hasMore { break }
                }
                backoff = 1
            } catch {
                failed(error, retryIn: backoff)
                pause(backoff)
                backoff = min(backoff * 2, 60)
                wakePusher()
            }
        }
        peer.close()
    }

    private func failed(_ error: Error, retryIn seconds: Double) {
        guard !isStopped else { return }
        logger.warning("sync with \(address) failed: \(error); retrying in \(Int(seconds)) s")
        try? store.recordSyncError("\(error)", peer: address.description)
    }
}
