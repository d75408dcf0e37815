#ifndef JOBPREP_CSQLITESHIM_SHIM_H
#define JOBPREP_CSQLITESHIM_SHIM_H
#include <sqlite3.h>
#include <stdint.h>

/*
 * sqlite3_config is variadic, which Swift cannot call. It only works before SQLite initializes (the first
 * connection opened); later it returns SQLITE_MISUSE and changes nothing.
 * Reference: https://www.sqlite.org/c3ref/c_config_covering_index_scan.html
 */

/*
 * Stops SQLite's memory statistics. With them on (Debian's default), every sqlite3_malloc and sqlite3_free takes
 * one process-wide mutex to count the bytes: under load the HTTP workers' reads and the writer wait on each other
 * in malloc. jobprepd reads none of the statistics (sqlite3_memory_used, sqlite3_status and the heap limits).
 */
static inline int
jp_sqlite_disable_memory_statistics(void)
{
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * The WAL index of the connection's database (region 0 of `<database>-shm`), as SQLite itself maps it, or NULL when
 * there is none (not in WAL mode, not read yet, or a VFS without shared memory). xShmMap with bExtend = 0 maps no
 * new region; the unix VFS requires every call to use the 32 KiB region size. The mapping lives as long as the
 * connection stays open. Opening the -shm file separately is no alternative: closing a second descriptor of a file
 * drops every POSIX lock the process holds on it, SQLite's included.
 * References: https://www.sqlite.org/c3ref/io_methods.html, https://www.sqlite.org/walformat.html
 */
static inline const volatile void *
jp_sqlite_wal_index(sqlite3 *db)
{
    sqlite3_file *file = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == 0) return 0;
    const sqlite3_io_methods *methods = file->pMethods;
    if (methods == 0 || methods->iVersion < 2 || methods->xShmMap == 0) return 0;
    void volatile *region = 0;
    if (methods->xShmMap(file, 0, 32768, 0, &region) != SQLITE_OK) return 0;
    return region;
}

/*
 * The first copy of the WAL-index header (48 bytes), which every commit rewrites: its change counter, the last
 * valid frame, the salts of the WAL's current generation and a checksum. SQLite writes the second copy, then a
 * memory barrier, then this one; the acquire fence keeps the caller's later reads after this load.
 */
static inline void
jp_sqlite_wal_index_header(const volatile void *walIndex, uint64_t out[6])
{
    const volatile uint64_t *words = (const volatile uint64_t *)walIndex;
    for (int i = 0; i < 6; i++) out[i] = words[i];
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

#endif
