import ArgumentParser
import Foundation
import Storage

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the whole dataset as canonical JSON, or as the printable prep sheet.",
        discussion: """
            Works on the data directory whether or not a daemon is serving it. The JSON is the same as \
            GET /v1/export: two replicas holding the same data write the same bytes, and jobprepd import \
            (or POST /v1/import) takes it back.
            """
    )

    @OptionGroup var data: DataDirectoryOption

    @Flag(help: "Write the prep sheet (Markdown) instead of JSON.")
    var markdown = false

    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func run() throws {
        let store = try openExistingStore(data.directory)
        defer { store.close() }
        let total = try store.read { try $0.liveCounts().values.reduce(0, +) }
        // No bar when the export itself goes to the terminal: they would share it.
        let bar = ProgressBar(
            "exporting", isTerminal: isatty(STDERR_FILENO) == 1 && (output != nil || isatty(STDOUT_FILENO) == 0))
        let bytes = try store.read { session -> [UInt8] in
            if markdown { return Array(try PrepSheet(session).markdown.utf8) }
            return try Export.canonicalJSON(session) { bar.update($0, of: total) }
        }
        bar.finish()
        if let output {
            try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
            warn("exported \(total) records to \(output)")
        } else {
            FileHandle.standardOutput.write(Data(bytes))
            if markdown || isatty(STDOUT_FILENO) == 1 { FileHandle.standardOutput.write(Data("\n".utf8)) }
        }
    }
}
