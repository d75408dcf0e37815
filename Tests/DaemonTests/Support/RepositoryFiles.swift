import Foundation

/// Files of this repository that tests compare the daemon with (the committed spec, the benchmark's bare server).
enum RepositoryFiles {
    /// The repository's root, which holds Tests/DaemonTests/Support/ and this file.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }
}
