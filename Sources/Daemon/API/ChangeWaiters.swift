import Foundation
import Model
import Storage

/// Long-poll waiters: requests for changes after some sequence, parked (their connections
/// suspended, no thread held) until the log grows past it or their own deadline passes.
///
/// Commits made in this process wake waiters at once through the store's commit signal; commits by
/// other processes (the command line syncing or importing into the same data directory) are
/// noticed by polling the log's last sequence a few times a second while anyone waits. The same tick wakes
/// the waiters whose clients hung up (``PeerWatch``), so that they let go of their connections at once.
final class ChangeWaiters: Sendable {
    private struct Waiter {
        let after: Int64
        let deadline: UInt64
        /// The parked connection's socket, when known.
        let socket: Int32?
        /// Called once; `clientGone` when the client hung up (answer at once, do not park again).
        let wake: @Sendable (_ clientGone: Bool) -> Void
    }

    private struct State {
        var nextID = 0
        var waiters: [Int: Waiter] = [:]
        var lastSequence: Int64 = 0
        var stopped = false
    }

    private let state = Locked(State())
    private let store: Store
    private let subscription: Locked<CommitSignal.Subscription?> = Locked(nil)
    private let ticker: PeriodicTask

    init(store: Store, pollInterval: Double = 0.25) {
        self.store = store
        let state = self.state
        ticker = PeriodicTask(every: pollInterval) { [store] in
            let now = Monotonic.nanoseconds()
            let (expired, watched) = state.withLock { s -> ([Waiter], [(id: Int, socket: Int32)]) in
                let expired = s.waiters.filter { $0.value.deadline <= now }
                for id in expired.keys { s.waiters.removeValue(forKey: id) }
                let watched = s.waiters.compactMap { id, waiter in waiter.socket.map { (id: id, socket: $0) } }
                return (Array(expired.values), watched)
            }
            for waiter in expired { waiter.wake(false) }
            // A waiter woken meanwhile is no longer in the table (and its socket may already be another's): only
            // those still there are woken.
            let hungUp = PeerWatch.gone(watched.map(\.socket)).map { watched[$0].id }
            let (abandoned, anyone) = state.withLock { s in
                (hungUp.compactMap { s.waiters.removeValue(forKey: $0) }, !s.waiters.isEmpty)
            }
            for waiter in abandoned { waiter.wake(true) }
            if anyone, let last = try? store.read({ try $0.lastSequence() }) {
                ChangeWaiters.publish(last, state)
            }
        }
        subscription.withLock { [state] in $0 = store.commits.subscribe { last in ChangeWaiters.publish(last, state) } }
        ticker.start()
    }

    /// Calls `wake` once, when the log grows past `after`, at `deadline` (monotonic nanoseconds), or when the client
    /// on `socket` hangs up.
    func wait(
        after: Int64, deadline: UInt64, socket: Int32? = nil, wake: @escaping @Sendable (_ clientGone: Bool) -> Void
    ) {
        let immediately = state.withLock { s -> Bool in
            if s.stopped || s.lastSequence > after { return true }
            s.nextID += 1
            s.waiters[s.nextID] = Waiter(after: after, deadline: deadline, socket: socket, wake: wake)
            return false
        }
        if immediately { wake(false) }
    }

    var count: Int { state.withLock { $0.waiters.count } }

    /// After ``stop()``, nobody waits: requests are answered with what there is.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Wakes everyone (at shutdown).
    func stop() {
        ticker.cancel()
        subscription.withLock { $0 = nil }
        let all = state.withLock { s -> [Waiter] in
            s.stopped = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for waiter in all { waiter.wake(false) }
    }

    private static func publish(_ last: Int64, _ state: Locked<State>) {
        let ready = state.withLock { s -> [Waiter] in
            s.lastSequence = max(s.lastSequence, last)
            let ready = s.waiters.filter { $0.value.after < s.lastSequence }
            for id in ready.keys { s.waiters.removeValue(forKey: id) }
            return Array(ready.values)
        }
        for waiter in ready { waiter.wake(false) }
    }
}
