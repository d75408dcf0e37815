import ArgumentParser
import Storage

struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Shrink the change log to the newest cell per field (history is kept).",
        discussion: """
            Peers whose cursor is older than the new horizon get 410 on their next pull and resync \
            in full, which rebuilds the same records (deleted ones stay deleted).
            """
    )

    @OptionGroup var data: DataDirectoryOption

    func run() throws {
        let store = try openStore(data.directory)
        defer { store.close() }
        let report = try store.compact()
        print(
            "compacted the change log: \(report.rowsBefore) → \(report.rowsAfter) writes, \(report.cellsRemoved) superseded cells removed; horizon \(report.horizon)"
        )
    }
}
