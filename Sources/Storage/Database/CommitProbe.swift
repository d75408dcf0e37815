import CSQLiteShim
import GRDB

/// Tells, without a read transaction, whether anything was committed to the database since an earlier look, by this
/// process or another (`jobprepd token revoke`, `jobprepd sync`): it reads the header of the WAL index, which every
/// commit rewrites (https://www.sqlite.org/walformat.html). Equal stamps mean the same committed state: the header
/// holds a change counter, the last valid frame with its running checksum, and the salts of the WAL's generation.
///
/// A read transaction costs a mutex, two `fcntl` locks and a statement; this costs six loads. The header is read
/// where SQLite maps it (see `jp_sqlite_wal_index`), through the store's writer connection: the mapping lasts as
/// long as that connection, which ``Store/close()`` closes only after the reads in progress are done.
final class CommitProbe: @unchecked Sendable {
    // @unchecked: `header` points into shared memory that SQLite updates; it is only read, with an acquire fence.

    struct Stamp: Equatable, Sendable {
        fileprivate var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
                && a.words.4 == b.words.4 && a.words.5 == b.words.5
        }
    }

    private let header: UnsafeRawPointer

    /// Nil when `db` has no WAL index to read (then every read goes to SQLite). `db` must stay open as long as the
    /// probe is used, and have read the database once.
    init?(_ db: Database) {
        guard let header = db.sqliteConnection.flatMap({ jp_sqlite_wal_index($0) }) else { return nil }
        self.header = header
    }

    func stamp() -> Stamp {
        var stamp = Stamp(words: (0, 0, 0, 0, 0, 0))
        withUnsafeMutableBytes(of: &stamp.words) { words in
            jp_sqlite_wal_index_header(header, words.baseAddress!.assumingMemoryBound(to: UInt64.self))
        }
        return stamp
    }
}
