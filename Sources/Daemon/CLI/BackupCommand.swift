import ArgumentParser
import Foundation
import Storage

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database to FILE, consistently, even while a daemon writes to it.",
        discussion: """
            Uses SQLite's online backup API: the copy is one consistent snapshot holding every write \
            committed before the backup started. It is checked (PRAGMA integrity_check) and renamed into \
            place only when whole, so FILE is never half written. To restore: stop the daemon, copy FILE to \
            <data-dir>/jobprep.sqlite (removing any jobprep.sqlite-wal and jobprep.sqlite-shm), and start \
            it again. A restored database is a new replica (it gets a new node id), so jobprepd sync with \
            another replica brings back what was written there since the backup, and sends what is new here.
            """
    )

    @OptionGroup var data: DataDirectoryOption

    @Argument(help: "Where to write the copy (replaced atomically if it exists).")
    var file: String

    func run() throws {
        let store = try openExistingStore(data.directory)
        defer { store.close() }
        let bar = ProgressBar("backing up")
        let started = Date()
        let report: BackupReport
        do {
            report = try store.backup(to: file) { done, total in bar.update(done, of: total) }
            bar.finish()
        } catch {
            bar.finish()
            throw ExitFailure(description: "backup to \(file) failed: \(error)")
        }
        let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
        print(
            "backed up \(store.path) to \(file): \(report.pages) pages, \(report.bytes) bytes, integrity ok, in \(seconds) s"
        )
    }
}
