import Foundation
import Storage

/// A fresh database in its own temporary directory, removed when the test is done with it.
final class TemporaryStore {
    let directory: URL
    let store: Store

    init(options: StoreOptions = StoreOptions()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("jobprep.sqlite").path, options: options)
    }

    var path: String { store.path }

    deinit {
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
