import GRDB

extension Store {
    /// Copies the live database to `path` with SQLite's online backup API, while writes go on.
    /// The copy opens as a new replica (its file identity differs, so it takes a new node id).
    /// `progress` gets (pages copied, total pages).
    public func backup(to path: String, progress: ((Int, Int) -> Void)? = nil) throws {
        do {
            let destination = try DatabaseQueue(path: path)
            try pool.backup(to: destination, pagesPerStep: 256) { step in
                progress?(step.completedPageCount, step.totalPageCount)
            }
            try destination.close()
        } catch {
            throw StorageError.wrap(error)
        }
    }
}
