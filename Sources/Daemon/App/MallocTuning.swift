#if canImport(Glibc)
    import CMalloc
#endif

/// glibc's malloc serves a block of 128 KiB or more with a mapping of its own, unmapped when freed, but raises that
/// threshold (up to 32 MiB) each time such a block is freed. After the first large request body, batch or export,
/// blocks of that size come from the per-thread arenas instead, which keep the memory once it is freed. Fixing the
/// threshold at its default gives it back: after five 1,000-operation batches and an export of the 5,000 records, the
/// daemon's RSS was 32.7 MiB against 37.8 without, and its peak under wrk's mixed load 32.7 against 36.4 (means of
/// four runs of `Benchmarks/rss`), at the same throughput (Benchmarks/PROFILE.md, session 4).
enum MallocTuning {
    static func apply() {
        #if canImport(Glibc)
            _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        #endif
    }
}
