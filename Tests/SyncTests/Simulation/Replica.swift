import Foundation
import GRDB
import Model
import Storage
import Sync

/// One replica of the simulation: a real store in its own directory, with a wall clock the
/// simulation controls (offset from simulated time, and able to step back).
final class Replica: @unchecked Sendable {
    let name: String
    let directory: URL
    private(set) var store: Store
    let clock: SimulatedClock

    init(name: String, clock: SimulatedClock) throws {
        self.name = name
        self.clock = clock
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Self.open(directory, clock)
    }

    private static func open(_ directory: URL, _ clock: SimulatedClock) throws -> Store {
        var options = StoreOptions()
        options.wallClock = { clock.now() }
        options.readers = 2
        return try Store(path: directory.appendingPathComponent("jobprep.sqlite").path, options: options)
    }

    /// Closes and reopens the database, as a process restart would.
    func restart() throws {
        store.close()
        store = try Self.open(directory, clock)
    }

    /// Everything that must be identical on converged replicas: every record row ever seen,
    /// dead or alive, with its causal length, cell clocks, document and version.
    func state() throws -> [String] {
        try store.read { session in try session.debugRecordRows() }
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A wall clock: simulated time plus this replica's offset.
final class SimulatedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var base: UInt64
    private var offset: Int64

    init(base: UInt64, offset: Int64) {
        self.base = base
        self.offset = offset
    }

    func now() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return UInt64(Int64(base) + offset)
    }

    func advance(by millis: UInt64) {
        lock.lock()
        base += millis
        lock.unlock()
    }

    func setOffset(_ millis: Int64) {
        lock.lock()
        offset = millis
        lock.unlock()
    }
}
