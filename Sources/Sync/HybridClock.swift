/// A remote clock reading too far ahead of ours to be trusted.
public struct ClockSkewError: Error, Sendable, Equatable {
    public let remote: HLC
    public let localMillis: UInt64
    public let maxSkewMillis: UInt64

    public var skewMillis: UInt64 { remote.millis - localMillis }
}

/// The replica's hybrid logical clock.
///
/// Every reading it gives is greater than every reading it gave or observed before, whatever the
/// wall clock does; the caller persists ``last`` with each write so this holds across restarts.
public struct HybridClock: Sendable {
    public private(set) var last: HLC
    /// How far ahead of the local wall clock a remote reading may be.
    public var maxSkewMillis: UInt64

    public init(last: HLC = .zero, maxSkewMillis: UInt64 = 5 * 60 * 1000) {
        self.last = last
        self.maxSkewMillis = maxSkewMillis
    }

    /// Milliseconds since the epoch from the system's real-time clock.
    public static func wallMillis() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    /// A new reading for a local write.
    public mutating func tick(wallMillis: UInt64 = HybridClock.wallMillis()) -> HLC {
        let wall = min(wallMillis, HLC.maxMillis)
        if wall > last.millis {
            last = HLC(millis: wall, counter: 0)
        } else if last.counter < UInt16.max {
            last = HLC(millis: last.millis, counter: last.counter + 1)
        } else {
            last = HLC(millis: last.millis + 1, counter: 0)
        }
        return last
    }

    /// Refuses a remote reading that is more than ``maxSkewMillis`` ahead of the wall clock.
    public func check(_ remote: HLC, wallMillis: UInt64 = HybridClock.wallMillis()) throws(ClockSkewError) {
        if remote.millis > wallMillis, remote.millis - wallMillis > maxSkewMillis {
            throw ClockSkewError(remote: remote, localMillis: wallMillis, maxSkewMillis: maxSkewMillis)
        }
    }

    /// Moves the clock past a reading seen elsewhere (a remote change, or another process's write).
    public mutating func observe(_ reading: HLC) {
        if reading > last { last = reading }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
