import Foundation
import GRDB

/// What ``Store/backup(to:progress:)`` wrote.
public struct BackupReport: Sendable, Equatable {
    /// Database pages copied.
    public let pages: Int
    /// The size of the copy in bytes.
    public let bytes: Int64
}

extension Store {
    /// Copies the live database to `path` with SQLite's online backup API, while writes go on.
    ///
    /// The copy is one consistent snapshot: the source is read in a single read transaction, so it holds every
    /// write committed before the backup started and no part of a later one. It is written to a temporary file
    /// beside `path`, checked (`PRAGMA integrity_check`), synced and renamed into place, so `path` is only ever
    /// the old file or a whole backup. The copy keeps no node id: opened (restored), it starts as a new replica,
    /// whatever file or inode it ends up in. `progress` gets (pages copied, total pages).
    /// https://www.sqlite.org/backup.html
    @discardableResult
    public func backup(to path: String, progress: ((Int, Int) -> Void)? = nil) throws -> BackupReport {
        let target = URL(fileURLWithPath: path).standardizedFileURL
        guard target.path != URL(fileURLWithPath: self.path).standardizedFileURL.path else {
            throw StorageError.database("cannot back up the database onto itself")
        }
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).partial-\(UUID().uuidString.prefix(8))").path
        defer {
            for suffix in ["", "-journal", "-wal", "-shm"] { unlink(temporary + suffix) }
        }
        var pages = 0
        do {
            let destination = try DatabaseQueue(path: temporary)
            try withReaders {
                try pool.backup(to: destination, pagesPerStep: 256) { step in
                    pages = step.totalPageCount
                    progress?(step.completedPageCount, step.totalPageCount)
                }
            }
            try destination.writeWithoutTransaction { db in
                // A copy must never share the source's identity (see `Store.identify`).
                try db.execute(sql: "DELETE FROM meta WHERE key IN ('node_id', 'file_identity')")
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                let verdict = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard verdict == ["ok"] else {
                    throw StorageError.database(
                        "the copy failed its integrity check: \(verdict.prefix(5).joined(separator: "; "))")
                }
            }
            try destination.close()
        } catch {
            throw StorageError.wrap(error)
        }
        try durablyRename(temporary, to: target)
        var info = stat()
        let bytes = stat(target.path, &info) == 0 ? Int64(info.st_size) : 0
        return BackupReport(pages: pages, bytes: bytes)
    }
}

/// fsync the file, rename it over `target`, fsync the directory: the new name survives power loss.
private func durablyRename(_ source: String, to target: URL) throws {
    func fail(_ what: String) -> StorageError {
        let code = errno
        return code == ENOSPC
            ? .full : .database("cannot \(what) the backup \(target.path): \(String(cString: strerror(code)))")
    }
    let file = open(source, O_RDONLY | O_CLOEXEC)
    guard file >= 0 else { throw fail("open") }
    let synced = fsync(file)
    close(file)
    guard synced == 0 else { throw fail("sync") }
    guard rename(source, target.path) == 0 else { throw fail("write") }
    let directory = open(target.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directory >= 0 {
        _ = fsync(directory)
        close(directory)
    }
}
