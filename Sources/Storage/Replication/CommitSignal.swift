import Foundation
import Model

/// Tells listeners (long-polls, event streams, continuous sync) that the change log grew, right
/// after the commit that grew it. Writes made by another process are not seen here; listeners
/// that care also poll ``ReadSession/lastSequence()``.
public final class CommitSignal: Sendable {
    public typealias Listener = @Sendable (_ lastSequence: Int64) -> Void

    private struct State {
        var nextID = 0
        var listeners: [Int: Listener] = [:]
    }

    private let state = Locked(State())

    public init() {}

    /// Calls `listener` after every commit that appends to the log, until the subscription is cancelled.
    public func subscribe(_ listener: @escaping Listener) -> Subscription {
        let id = state.withLock { s in
            s.nextID += 1
            s.listeners[s.nextID] = listener
            return s.nextID
        }
        return Subscription { [weak self] in self?.state.withLock { _ = $0.listeners.removeValue(forKey: id) } }
    }

    func publish(_ lastSequence: Int64) {
        let listeners = state.withLock { Array($0.listeners.values) }
        for listener in listeners { listener(lastSequence) }
    }

    /// Ends a subscription when cancelled or released.
    public final class Subscription: Sendable {
        private let cancellation: Locked<(@Sendable () -> Void)?>

        init(_ cancel: @escaping @Sendable () -> Void) {
            cancellation = Locked(cancel)
        }

        public func cancel() {
            let cancel = cancellation.withLock { c -> (@Sendable () -> Void)? in
                defer { c = nil }
                return c
            }
            cancel?()
        }

        deinit { cancel() }
    }
}
