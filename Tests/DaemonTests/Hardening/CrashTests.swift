import Foundation
import GRDB
import Model
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `jobprepd serve` killed while it writes: SIGKILL (a crash) at a random moment under concurrent writers,
/// several times over the same data directory, and SIGTERM (a clean stop) under load. After each, every write the
/// daemon acknowledged must be there and the database must pass `PRAGMA integrity_check`.
///
/// `JOBPREP_CRASH_CYCLES` (default 5) and `JOBPREP_CRASH_SEED` change the run; `scripts/crash-loop.sh` runs many
/// more cycles.
@Suite(.serialized) struct CrashTests {
    private static let environment = ProcessInfo.processInfo.environment
    static let cycles = Int(environment["JOBPREP_CRASH_CYCLES"] ?? "") ?? 5
    static let seed = UInt64(environment["JOBPREP_CRASH_SEED"] ?? "") ?? 20_261_126

    private static func temporaryDirectory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-\(name)-\(UUID().uuidString)")
    }

    /// Every acknowledged write is in the database file, which is sound; read straight from the file with a
    /// read-only connection while no daemon runs.
    private static func checkFile(_ directory: URL, _ ledger: WriteLedger) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(
            path: directory.appendingPathComponent("jobprep.sqlite").path, configuration: configuration)
        defer { try? database.close() }
        return try database.read { db in
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            let stored = Set(
                try String.fetchAll(db, sql: "SELECT id FROM records WHERE collection = 'values' AND body IS NOT NULL"))
            let acknowledged = ledger.created
            let missing = acknowledged.subtracting(stored)
            #expect(missing.isEmpty, "\(missing.count) acknowledged creates are missing, e.g. \(missing.prefix(5))")
            for (counter, rank) in ledger.counters {
                let storedRank = try Int64.fetchOne(
                    db, sql: "SELECT body ->> '$.rank' FROM records WHERE collection = 'values' AND id = ?",
                    arguments: [counter])
                #expect(
                    (storedRank ?? -1) >= rank, "\(counter): rank \(rank) was acknowledged, \(storedRank ?? -1) stored")
            }
            // The mutation path writes a record and its log in one transaction: no record without its log rows.
            let unlogged = try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM records r WHERE r.body IS NOT NULL AND NOT EXISTS
                        (SELECT 1 FROM change_log l WHERE l.collection = r.collection AND l.record_id = r.id)
                    """)
            #expect(unlogged == 0)
            return acknowledged.count + ledger.counters.count
        }
    }

    /// The search index of a restarted daemon, once a search has made it catch up with the log that the kill left
    /// ahead of it: every live value has search rows, and no deleted record has any.
    private static func checkSearchIndex(_ directory: URL, _ daemon: DaemonProcess) throws {
        _ = try daemon.client().get("/v1/search?q=counter")
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(
            path: directory.appendingPathComponent("jobprep.sqlite").path, configuration: configuration)
        defer { try? database.close() }
        let search = directory.appendingPathComponent("jobprep.sqlite.search").path
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS search", arguments: [search])
        }
        try database.read { db in
            let indexRows = "SELECT 1 FROM search_index s WHERE s.rowid >= r.rowid * 64 AND s.rowid < r.rowid * 64 + 64"
            let unindexed = try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM records r WHERE collection = 'values' AND body IS NOT NULL "
                    + "AND NOT EXISTS (\(indexRows))")
            let stale = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM records r WHERE body IS NULL AND EXISTS (\(indexRows))")
            #expect(
                unindexed == 0 && stale == 0,
                "\(unindexed ?? -1) live values without search rows, \(stale ?? -1) deleted with")
        }
    }

    /// The same, through the API of a restarted daemon.
    private static func checkAPI(_ daemon: DaemonProcess, _ ledger: WriteLedger) throws {
        let client = try daemon.client()
        let stored = Set(try client.all("values").compactMap { $0["id"]?.stringValue })
        #expect(ledger.created.isSubset(of: stored))
        for (counter, rank) in ledger.counters {
            let body = try client.get("/v1/values/\(counter)").object()
            #expect((body["rank"]?.integerValue ?? -1) >= rank)
        }
    }

    @Test func everyAcknowledgedWriteSurvivesSIGKILL() throws {
        let directory = Self.temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = SplitMix64(seed: Self.seed)
        let ledger = WriteLedger()
        var checked = 0
        var kills: [Int] = []
        for cycle in 0..<Self.cycles {
            // Alternate the durability modes: both must survive a process crash.
            let durability = cycle % 2 == 0 ? "normal" : "full"
            let daemon = try DaemonProcess(directory: directory, arguments: ["--durability", durability])
            if cycle == 0 {
                let client = try daemon.client()
                for w in 0..<4 {
                    try client.create("values", ["id": .string("counter-\(w)"), "name": "counter", "rank": 0])
                }
            } else {
                try Self.checkAPI(daemon, ledger)
                try Self.checkSearchIndex(directory, daemon)
            }
            let writers = LoadWriters(
                port: daemon.port, token: daemon.token, prefix: "c\(cycle)", writers: 4, counterRanks: ledger.counters,
                ledger: ledger)
            let delay = Int.random(in: 100...900, using: &rng)
            kills.append(delay)
            usleep(useconds_t(delay * 1000))
            daemon.signal(SIGKILL)
            let exit = daemon.waitForExit()
            #expect(exit?.signalled == true)
            #expect(writers.waitUntilDone(timeout: .seconds(30)), "the writers did not notice the daemon had died")
            writers.stop()
            #expect(ledger.problems.isEmpty, "\(ledger.problems.prefix(5))")
            checked += try Self.checkFile(directory, ledger)
        }
        // A last start: everything is still there, and a clean stop exits 0.
        let daemon = try DaemonProcess(directory: directory)
        try Self.checkAPI(daemon, ledger)
        try Self.checkSearchIndex(directory, daemon)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit()?.status == 0)
        #expect(ledger.created.count > Self.cycles * 10, "too few writes to mean anything: \(ledger.outcomes)")
        print(
            "crash test (seed \(Self.seed)): \(Self.cycles) SIGKILL cycles after \(kills) ms, \(ledger.created.count) acknowledged creates and \(ledger.counters.count) counters; \(checked) acknowledged writes checked in all; outcomes \(ledger.outcomes)"
        )
    }

    @Test func sigtermUnderLoadAnswersOrRefusesCleanlyAndLosesNothing() throws {
        let directory = Self.temporaryDirectory("sigterm")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = WriteLedger()
        let daemon = try DaemonProcess(directory: directory)
        let client = try daemon.client()
        for w in 0..<8 { try client.create("values", ["id": .string("counter-\(w)"), "name": "counter", "rank": 0]) }
        let writers = LoadWriters(
            port: daemon.port, token: daemon.token, prefix: "t", writers: 8, counterRanks: [:], ledger: ledger,
            refusals: [503])
        usleep(400_000)
        daemon.signal(SIGTERM)
        let exit = daemon.waitForExit()
        #expect(exit?.status == 0 && exit?.signalled == false, "exit \(String(describing: exit)):\n\(daemon.log)")
        #expect(writers.waitUntilDone(timeout: .seconds(30)))
        writers.stop()
        // Every answer was a success, a clean 503, or a connection closed before any byte of an answer.
        #expect(ledger.problems.isEmpty, "\(ledger.problems.prefix(5))")
        #expect(Set(ledger.outcomes.keys).isSubset(of: ["acknowledged", "503", "closed"]), "\(ledger.outcomes)")
        #expect(daemon.log.contains("finishing requests in flight"))
        let checked = try Self.checkFile(directory, ledger)
        let restarted = try DaemonProcess(directory: directory)
        try Self.checkAPI(restarted, ledger)
        restarted.signal(SIGTERM)
        #expect(restarted.waitForExit()?.status == 0)
        print("SIGTERM under load: \(checked) acknowledged writes checked; outcomes \(ledger.outcomes)")
    }
}
