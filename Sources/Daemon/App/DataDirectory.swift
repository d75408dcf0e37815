import Foundation

/// Where a replica keeps its files: `--data-dir`, else `JOBPREP_DATA_DIR`, else
/// `$XDG_DATA_HOME/jobprep`, else `~/.local/share/jobprep`.
public struct DataDirectory: Sendable, Equatable {
    public let path: String

    public init(path: String) {
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    public static func resolve(
        flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> DataDirectory {
        if let flag, !flag.isEmpty { return DataDirectory(path: flag) }
        if let env = environment["JOBPREP_DATA_DIR"], !env.isEmpty { return DataDirectory(path: env) }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return DataDirectory(path: xdg + "/jobprep") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return DataDirectory(path: home + "/.local/share/jobprep")
    }

    public var databasePath: String { path + "/jobprep.sqlite" }
    public var tokenPath: String { path + "/token" }

    /// Creates the directory (mode 0700) if it does not exist.
    public func create() throws {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Writes the access token file with mode 0600, atomically.
    public func writeToken(_ secret: String) throws {
        let temporary = tokenPath + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DataDirectoryError.cannotWrite(temporary, String(cString: strerror(errno))) }
        let bytes = Array((secret + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, tokenPath) == 0 else {
            throw DataDirectoryError.cannotWrite(tokenPath, String(cString: strerror(errno)))
        }
    }
}

public enum DataDirectoryError: Error, CustomStringConvertible {
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}
