import ArgumentParser
import Foundation
import Model
import Testing

@testable import Daemon

/// `jobprepd export` and `jobprepd import` on a data directory, while a daemon serves it or not.
@Suite struct ExportImportCommandTests {
    private func run(_ arguments: [String]) throws {
        var command = try JobPrepCommand.parseAsRoot(arguments)
        try command.run()
    }

    private func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-cli-\(name)-\(UUID().uuidString)")
    }

    @Test func theCommandLineExportsWhatTheDaemonServesAndImportsItBack() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try fillDataset(client)
        let served = try client.get("/v1/export").body

        // Export while the daemon serves the same data directory.
        let file = temporary("export").appendingPathExtension("json")
        defer { try? FileManager.default.removeItem(at: file) }
        try run(["export", "--data-dir", daemon.directory.path, "--output", file.path])
        #expect(try [UInt8](Data(contentsOf: file)) == served)

        // Import into a data directory no daemon serves (created on the way), then export it again.
        let fresh = temporary("fresh")
        defer { try? FileManager.default.removeItem(at: fresh) }
        try run(["import", "--data-dir", fresh.path, file.path])
        let again = temporary("again").appendingPathExtension("json")
        defer { try? FileManager.default.removeItem(at: again) }
        try run(["export", "--data-dir", fresh.path, "-o", again.path])
        #expect(try Data(contentsOf: again) == Data(contentsOf: file))

        // Import into the served directory: the daemon sees it at once, and nothing changed.
        try run(["import", "--data-dir", daemon.directory.path, again.path])
        #expect(try client.get("/v1/export").body == served)

        let markdown = temporary("sheet").appendingPathExtension("md")
        defer { try? FileManager.default.removeItem(at: markdown) }
        try run(["export", "--data-dir", fresh.path, "--markdown", "--output", markdown.path])
        #expect(try String(contentsOf: markdown, encoding: .utf8).hasPrefix("# Job search prep sheet: Ana\n"))
    }

    @Test func anImportFromTheCommandLineIsSeenByARunningDaemon() throws {
        let source = try TestDaemon()
        try source.client().create("values", ["id": "v", "name": "Autonomy"])
        let file = temporary("export").appendingPathExtension("json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(try source.client().get("/v1/export").body).write(to: file)
        let target = try TestDaemon()
        try run(["import", "--data-dir", target.directory.path, file.path])
        #expect(try target.client().get("/v1/values/v").object()["name"] == "Autonomy")
        #expect(try target.client().get("/v1/search?q=autonomy").object()["items"]?.arrayValue?.count == 1)
    }

    @Test func aBadFileIsRefusedWithEveryProblemAndNothingStored() throws {
        let daemon = try TestDaemon()
        let before = try daemon.client().get("/v1/export").body
        let file = temporary("bad").appendingPathExtension("json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"format": "nope", "collections": {"values": [{"id": "x", "name": 1}]}}"#.utf8).write(to: file)
        #expect {
            try run(["import", "--data-dir", daemon.directory.path, file.path])
        } throws: { error in
            let text = "\(error)"
            return text.contains("format: must be") && text.contains("collections.values[0].name")
                && text.contains("collections.values[0].created_at")
        }
        #expect(try daemon.client().get("/v1/export").body == before)

        try Data("not json".utf8).write(to: file)
        #expect(throws: (any Error).self) { try run(["import", "--data-dir", daemon.directory.path, file.path]) }
    }

    @Test func exportRefusesADirectoryWithoutData() throws {
        let empty = temporary("empty")
        #expect(throws: (any Error).self) { try run(["export", "--data-dir", empty.path]) }
        #expect(!FileManager.default.fileExists(atPath: empty.path))
    }
}
