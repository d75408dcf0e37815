import CSQLiteConfig

/// Process-wide SQLite settings, applied once before the first connection opens (``Store`` asks first).
enum SQLiteSetup {
    /// Memory statistics off: measured under wrk GET, 6% of the daemon's samples were futex calls, nearly all of
    /// them SQLite's allocator waiting on its statistics mutex (Benchmarks/PROFILE.md).
    static let applied: Void = {
        _ = jp_sqlite_disable_memory_statistics()
    }()
}
