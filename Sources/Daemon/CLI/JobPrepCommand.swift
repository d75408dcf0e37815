import ArgumentParser
import Foundation
import Logging
import Storage

/// `jobprepd`: the command line. `serve` is the default subcommand.
public struct JobPrepCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "jobprepd",
        abstract: "A local REST daemon for preparing a job search.",
        discussion: """
            Keeps your job-search preparation in SQLite and serves it over a documented REST API \
            (see /openapi.yaml). Data directory: --data-dir, else $JOBPREP_DATA_DIR, else \
            $XDG_DATA_HOME/jobprep, else ~/.local/share/jobprep.
            """,
        subcommands: [
            ServeCommand.self, SyncCommand.self, TokenCommand.self, ExportCommand.self, ImportCommand.self,
            CompactCommand.self, BackupCommand.self, OpenAPICommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )

    public init() {}
}

/// The `--data-dir` option every subcommand that touches the data takes.
struct DataDirectoryOption: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: "The data directory (default: $JOBPREP_DATA_DIR, $XDG_DATA_HOME/jobprep or ~/.local/share/jobprep).")
    var path: String?

    var directory: DataDirectory { DataDirectory.resolve(flag: path) }
}

/// Opens the store of a data directory for a command-line tool (creating it if needed).
func openStore(_ directory: DataDirectory) throws -> Store {
    try directory.create()
    return try Store(path: directory.databasePath)
}

/// Opens the store of a data directory that must already hold a database (reading tools: nothing to read in a
/// new one, and a typo in --data-dir should not create a directory).
func openExistingStore(_ directory: DataDirectory) throws -> Store {
    guard FileManager.default.fileExists(atPath: directory.databasePath) else {
        throw ValidationError(
            "no JobPrep database in \(directory.path); give --data-dir, or start jobprepd serve first")
    }
    return try Store(path: directory.databasePath)
}

/// Logs go to stderr, once per process.
enum LoggingSetup {
    static let once: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }()
}

extension ParsableCommand {
    /// Prints to stderr.
    func warn(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
