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
    private var peers: [HTTPPeer] = []
    private var running = 0

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
        running = 2
        for name in ["pull", "push"] {
            let thread = Thread { [self] in
                name == "pull" ? pullLoop() : pushLoop()
                condition.lock()
                running -= 1
                condition.broadcast()
                condition.unlock()
            }
            thread.name = "jobprep-sync-\(name)"
            threads.append(thread)
            thread.start()
        }
        logger.info("syncing continuously with \(address)")
    }

    /// Stops both loops, interrupting a long-poll in progress, and waits for them (briefly).
    func stop() {
        subscription = nil
        condition.lock()
        stopped = true
        let peers = self.peers
        condition.broadcast()
        condition.unlock()
        for peer in peers { peer.interrupt() }
        condition.lock()
        let deadline = Date().addingTimeInterval(5)
        while running > 0, condition.wait(until: deadline) {}
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
        let peer = makePeer(waitSeconds: 25)
        let engine = SyncEngine(local: store, remote: peer, peer: address.description)
        var backoff = 1.0
        while !isStopped {
            do {
                let report = try engine.pull()
                if report.pulled.applied > 0 { logger.info("pulled \(report.pulled.applied) changes from \(address)") }
                metrics.recordSyncRun(outcome: "ok")
                backoff = 1
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
        let peer = makePeer(waitSeconds: 0)
        let engine = SyncEngine(local: store, remote: peer, peer: address.description)
        var backoff = 1.0
        while !isStopped {
            pause(5, untilPushWanted: true)
            condition.lock()
            pushWanted = false
            condition.unlock()
            if isStopped { break }
            do {
                let report = try engine.push()
                if report.pushed.applied > 0 { logger.info("pushed \(report.pushed.applied) changes to \(address)") }
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

    /// A peer connection of one loop, remembered so that ``stop()`` can interrupt a long-poll.
    private func makePeer(waitSeconds: Int) -> HTTPPeer {
        let peer = HTTPPeer(address: address, token: token, caFile: caFile)
        peer.waitSeconds = waitSeconds
        condition.lock()
        peers.append(peer)
        condition.unlock()
        return peer
    }

    private func failed(_ error: Error, retryIn seconds: Double) {
        guard !isStopped else { return }
        logger.warning("sync with \(address) failed: \(error); retrying in \(Int(seconds)) s")
        try? store.recordSyncError("\(error)", peer: address.description)
    }
}
