import ArgumentParser
import Foundation
import GRDB
import Model
import Testing

@testable import Daemon

/// `jobprepd backup FILE` on a live database under write load, then a restore that starts as a new replica and
/// syncs back with the original without losing a write from either side.
@Suite struct BackupTests {
    private func run(_ arguments: [String]) throws {
        var command = try JobPrepCommand.parseAsRoot(arguments)
        try command.run()
    }

    private func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-backup-\(name)-\(UUID().uuidString)")
    }

    @Test func aBackupUnderLoadHoldsEveryEarlierWriteAndARestoredCopySyncsBack() throws {
        let original = try TestDaemon()
        let client = try original.client()
        for w in 0..<4 { try client.create("values", ["id": .string("counter-\(w)"), "name": "counter", "rank": 0]) }
        let ledger = WriteLedger()
        let writers = LoadWriters(
            port: original.port, token: original.token, prefix: "before", writers: 4, counterRanks: [:], ledger: ledger)
        while ledger.created.count < 300 { pause(milliseconds: 10) }

        // Back up while the writers go on; what they were told before the backup started must be in it.
        let acknowledgedBefore = ledger.created
        let countersBefore = ledger.counters
        let file = temporary("copy").appendingPathExtension("sqlite")
        defer { try? FileManager.default.removeItem(at: file) }
        try run(["backup", "--data-dir", original.directory.path, file.path])
        pause(milliseconds: 200)
        writers.stop()
        #expect(ledger.problems.isEmpty, "\(ledger.problems.prefix(3))")
        let acknowledgedAfter = ledger.created.subtracting(acknowledgedBefore)

        // The copy is one sound file with no identity of its own yet.
        var readOnly = Configuration()
        readOnly.readonly = true
        let copy = try DatabaseQueue(path: file.path, configuration: readOnly)
        try copy.read { db in
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            let stored = Set(
                try String.fetchAll(db, sql: "SELECT id FROM records WHERE collection = 'values' AND body IS NOT NULL"))
            #expect(acknowledgedBefore.isSubset(of: stored), "\(acknowledgedBefore.subtracting(stored).count) missing")
            for (counter, rank) in countersBefore {
                let storedRank = try Int64.fetchOne(
                    db, sql: "SELECT body ->> '$.rank' FROM records WHERE collection = 'values' AND id = ?",
                    arguments: [counter])
                #expect((storedRank ?? -1) >= rank)
            }
            #expect(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'node_id'") == nil)
        }
        try copy.close()
        #expect(!FileManager.default.fileExists(atPath: file.path + "-wal"))

        // Restore: the file (and the token file) into a new data directory; it starts as a new replica.
        let restoredDirectory = temporary("restored")
        try FileManager.default.createDirectory(at: restoredDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: file, to: restoredDirectory.appendingPathComponent("jobprep.sqlite"))
        try FileManager.default.copyItem(
            at: original.directory.appendingPathComponent("token"),
            to: restoredDirectory.appendingPathComponent("token"))
        let restored = try TestDaemon(directory: restoredDirectory)
        #expect(restored.application.store.nodeID != original.application.store.nodeID)
        let restoredClient = try restored.client()
        #expect(try restoredClient.get("/v1/values/counter-0").status == 200)
        // Each side writes after the split.
        try restoredClient.create("values", ["id": "made-after-restore", "name": "on the restored copy"])
        #expect(try restoredClient.patch("/v1/values/counter-0", ["name": "renamed on the restored copy"]).status == 200)
        try client.create("values", ["id": "made-on-the-original", "name": "on the original"])

        // jobprepd sync from the restored replica's directory (its daemon serving meanwhile) with the original.
        try run([
            "sync", "--data-dir", restoredDirectory.path, "--peer", "http://127.0.0.1:\(original.port)", "--token",
            original.token, "--page-size", "500",
        ])
        // Nothing lost on either side: both hold every write, and the same data byte for byte.
        let everything = ledger.created.union(["made-after-restore", "made-on-the-original"])
        for side in [client, restoredClient] {
            let ids = Set(try side.all("values").compactMap { $0["id"]?.stringValue })
            #expect(everything.isSubset(of: ids), "\(everything.subtracting(ids).count) missing")
            #expect(try side.get("/v1/values/counter-0").object()["name"] == "renamed on the restored copy")
        }
        #expect(try client.get("/v1/export").body == restoredClient.get("/v1/export").body)
        print(
            "backup under load: \(acknowledgedBefore.count) writes acknowledged before the backup checked in the copy, \(acknowledgedAfter.count) written during and after it synced back"
        )
    }

    @Test func aBackupIsNeverHalfWrittenAndRefusesItsOwnDatabase() throws {
        let daemon = try TestDaemon()
        let database = daemon.directory.appendingPathComponent("jobprep.sqlite").path
        #expect(throws: (any Error).self) { try run(["backup", "--data-dir", daemon.directory.path, database]) }
        // Into a directory that does not exist: fails, and leaves nothing behind.
        let missing = temporary("missing").appendingPathComponent("copy.sqlite")
        #expect(throws: (any Error).self) { try run(["backup", "--data-dir", daemon.directory.path, missing.path]) }
        #expect(!FileManager.default.fileExists(atPath: missing.deletingLastPathComponent().path))
        // Over an existing file: replaced whole.
        let file = temporary("existing").appendingPathExtension("sqlite")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("not a database".utf8).write(to: file)
        try run(["backup", "--data-dir", daemon.directory.path, file.path])
        let copy = try DatabaseQueue(path: file.path)
        #expect(try copy.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        try copy.close()
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
            .filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty)
        // No database in the data directory: a clear error.
        #expect(throws: ValidationError.self) { try run(["backup", "--data-dir", temporary("empty").path, file.path]) }
    }
}
