import ArgumentParser
import Foundation
import Model
import Storage
import Sync

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Merge an export (jobprepd export, GET /v1/export) into the data directory.",
        discussion: """
            The whole file is checked first: if anything is wrong, every problem is listed and nothing is \
            stored. Then every record is merged through the same write path as every edit, in one \
            transaction: records missing here are created, fields that differ are updated unless a newer \
            local edit wins (the imported value is kept in history), nothing is deleted. Importing the \
            same file twice changes nothing the second time. Works whether or not a daemon is serving the \
            data directory.
            """
    )

    @OptionGroup var data: DataDirectoryOption

    @Argument(help: "The export file (- for standard input).")
    var file: String

    func run() throws {
        let bytes: Data
        do {
            bytes =
                file == "-"
                ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw ValidationError("\(file) is not valid JSON: \(error.message)")
        }
        let bar = ProgressBar("checking ")
        let importFile: ImportFile
        do {
            importFile = try ImportFile.validate(json, nowMillis: ViewClock.wallMillis()) { bar.update($0, of: $1) }
            bar.finish()
        } catch let failure as ValidationFailure {
            bar.finish()
            let lines = failure.errors.map { $0.field.isEmpty ? "  \($0.message)" : "  \($0.field): \($0.message)" }
            throw ExitFailure(
                description: "\(file) was not imported; fix these problems:\n" + lines.joined(separator: "\n"))
        }
        let store = try openStore(data.directory)
        defer { store.close() }
        let applying = ProgressBar("importing")
        let summary = try store.write { session in
            try importFile.apply(session) { done, total in applying.update(done, of: total) }
        }
        applying.finish()
        print("imported \(file): \(summary.text)")
    }
}
