#ifndef JOBPREP_CSQLITECONFIG_SHIM_H
#define JOBPREP_CSQLITECONFIG_SHIM_H
#include <sqlite3.h>

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

#endif
