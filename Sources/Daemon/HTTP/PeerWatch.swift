import CMicroHTTPD
import Glibc

/// Which parked connections' clients have gone away.
///
/// libmicrohttpd stops watching a suspended connection's socket, so a long-poll whose client hung up would hold
/// its connection (and count against the connection limits) until its `wait` ran out. One `poll` over the parked
/// sockets, without waiting, finds the ones whose peer closed or reset.
enum PeerWatch {
    /// The indices in `sockets` whose peer has hung up.
    static func gone(_ sockets: [Int32]) -> [Int] {
        guard !sockets.isEmpty else { return [] }
        let hangUp = jp_pollrdhup | Int16(POLLHUP) | Int16(POLLERR)
        var fds = sockets.map { pollfd(fd: $0, events: jp_pollrdhup, revents: 0) }
        guard poll(&fds, nfds_t(fds.count), 0) > 0 else { return [] }
        return fds.indices.filter { fds[$0].revents & hangUp != 0 }
    }
}
