import CSQLiteShim

/// Process-wide SQLite settings, applied once before the first connection opens (``Store`` asks first).
enum SQLiteSetup {
    /// Memory statistics off: under wrk GET nearly all of the daemon's futex calls were SQLite's allocator waiting
    /// on its statistics mutex; with it off there were 8 times fewer (Benchmarks/PROFILE.md).
    static let applied: Void = {
        _ = jp_sqlite_disable_memory_statistics()
    }()
}
