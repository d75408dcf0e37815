import Foundation
import GRDB
import Model
import Storage
import TestSupport
import Testing

@testable import Sync

private let base: UInt64 = 1_790_000_000_000

private func replica(_ name: String, offset: Int64 = 0, base: UInt64 = base) throws -> Replica {
    try Replica(name: name, clock: SimulatedClock(base: base, offset: offset))
}

/// Full two-way sync of `a` with `b`, no faults.
@discardableResult
private func sync(_ a: Replica, _ b: Replica, pageSize: Int = 100) throws -> SyncReport {
    var engine = SyncEngine(
        local: a.store, remote: InProcessRemote(target: b, faults: .none, rng: SplitMix64(seed: 1)), peer: b.name)
    engine.pageSize = pageSize
    return try engine.run()
}

private func create(_ r: Replica, _ collection: CollectionSpec = Catalog.values, id: String, name: String) throws {
    let input = try BodyValidator.validateCreate(["id": .string(id), "name": .string(name)], in: collection).get()
    _ = try r.store.write { s in try s.create(collection, input) }
}

private func name(_ r: Replica, _ id: String, _ collection: CollectionSpec = Catalog.values) throws -> String? {
    try r.store.record(collection, id: id).flatMap { try JSONParser.parse($0.body).objectValue?["name"]?.stringValue }
}

@Suite struct NamedRegressionTests {
    @Test func createAfterDeleteStartsANewLifeEverywhere() throws {
        let a = try replica("a")
        let b = try replica("b")
        try create(a, id: "x", name: "first")
        try sync(b, a)
        try a.store.write { s in try s.delete(Catalog.values, id: "x") }
        a.clock.advance(by: 10)
        try create(a, id: "x", name: "second")
        // B edits the first life meanwhile: that edit must not survive the re-creation.
        _ = try b.store.write { s in try s.update(Catalog.values, id: "x", values: ["why": "late edit"]) }
        try sync(b, a)
        try sync(a, b)
        #expect(try name(a, "x") == "second")
        #expect(try name(b, "x") == "second")
        #expect(try a.state() == b.state())
        let why = try b.store.record(Catalog.values, id: "x").flatMap { try JSONParser.parse($0.body).objectValue?["why"] }
        #expect(why == .null)
        let kept = try b.store.read { try $0.history(Catalog.values, id: "x") }?.entries.map(\.value) ?? []
        #expect(kept.contains("late edit"))
    }

    @Test func twoReplicasDeletingTheSameRecordAgree() throws {
        let a = try replica("a")
        let b = try replica("b", offset: 37)
        try create(a, id: "x", name: "shared")
        try sync(b, a)
        try a.store.write { s in try s.delete(Catalog.values, id: "x") }
        try b.store.write { s in try s.delete(Catalog.values, id: "x") }
        try sync(a, b)
        try sync(b, a)
        #expect(try a.store.record(Catalog.values, id: "x") == nil)
        #expect(try a.state() == b.state())
    }

    @Test func aTieRelayedThroughAThirdReplicaResolvesTheSameWay() throws {
        let a = try replica("a")
        let b = try replica("b")
        let c = try replica("c")
        try create(a, id: "x", name: "origin")
        try sync(b, a)
        try sync(c, a)
        // Same wall clock, same clock state: both edits get the very same hlc; only the node differs.
        _ = try a.store.write { s in try s.update(Catalog.values, id: "x", values: ["name": "from a"]) }
        _ = try b.store.write { s in try s.update(Catalog.values, id: "x", values: ["name": "from b"]) }
        let keys = try [a, b].map { r in
            try r.store.read { try $0.changes(after: 0, limit: 10_000) }.changes.last { $0.field == "name" }!.key
        }
        #expect(keys[0].hlc == keys[1].hlc)
        let winner = keys[0].node > keys[1].node ? "from a" : "from b"
        // b's edit reaches a only through c.
        try sync(c, b)
        try sync(a, c)
        try sync(c, a)
        try sync(b, c)
        for r in [a, b, c] { #expect(try name(r, "x") == winner) }
        #expect(try a.state() == b.state())
        #expect(try b.state() == c.state())
    }

    @Test func aClonedDatabaseBecomesANewReplica() throws {
        // The clone runs on the real clock, so this replica does too.
        let a = try replica("a", base: HybridClock.wallMillis())
        try create(a, id: "x", name: "before the copy")
        let copyDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-clone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copyDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copyDirectory) }
        let copyPath = copyDirectory.appendingPathComponent("jobprep.sqlite").path
        try a.store.backup(to: copyPath)
        let clone = try Store(path: copyPath)
        defer { clone.close() }
        #expect(clone.nodeID != a.store.nodeID)
        _ = try clone.write { s in try s.update(Catalog.values, id: "x", values: ["name": "edited on the clone"]) }
        var engine = SyncEngine(local: a.store, remote: StoreRemote(clone), peer: "clone")
        engine.pageSize = 50
        let report = try engine.run()
        #expect(report.pulled.applied > 0)
        #expect(try name(a, "x") == "edited on the clone")
    }

    @Test func aPeerClockAnHourAheadIsRefusedAndNothingIsApplied() throws {
        let a = try replica("a")
        let b = try replica("b", offset: 3_600_000)
        try create(b, id: "future", name: "from the future")
        let before = try a.state()
        #expect {
            try sync(a, b)
        } throws: { error in
            guard case SyncError.clockSkew(let peer, let skew, let limit) = error else { return false }
            return peer == "b" && skew > 3_500_000 && limit == 300_000
        }
        #expect(try a.state() == before)
        #expect(try a.store.record(Catalog.values, id: "future") == nil)
    }

    @Test func aCursorNeverSkipsAChangeCommittedWhilePulling() throws {
        let a = try replica("a")
        let b = try replica("b")
        let done = Locked(false)
        let writer = Thread {
            for i in 0..<150 {
                try? create(a, id: "w\(i)", name: "written while pulling")
            }
            done.withLock { $0 = true }
        }
        writer.start()
        while !done.withLock({ $0 }) { try sync(b, a, pageSize: 7) }
        try sync(b, a, pageSize: 7)
        for i in 0..<150 { #expect(try b.store.record(Catalog.values, id: "w\(i)") != nil, "w\(i) was skipped") }
    }

    @Test func compactionSendsAStalePeerToAFullResyncWithoutResurrection() throws {
        let a = try replica("a")
        let b = try replica("b")
        for id in ["x", "y", "z"] { try create(b, id: id, name: id) }
        try sync(a, b)
        try b.store.write { s in try s.delete(Catalog.values, id: "x") }
        for round in 0..<5 {
            _ = try b.store.write { s in try s.update(Catalog.values, id: "y", values: ["name": .string("y\(round)")]) }
        }
        let report = try b.store.compact()
        #expect(report.cellsRemoved > 0)
        #expect(report.rowsAfter < report.rowsBefore)
        let (cursor, horizon) = (try a.store.checkpoint(peer: "b").pulled, report.horizon)
        #expect(cursor > 0 && cursor < horizon)
        let result = try sync(a, b)
        #expect(result.fullResync)
        #expect(try a.store.record(Catalog.values, id: "x") == nil)
        #expect(try name(a, "y") == "y4")
        #expect(try a.state() == b.state())
        // A fresh replica built only from the compacted log gets the same records.
        let c = try replica("c")
        try sync(c, b)
        #expect(try c.state() == b.state())
    }
}

/// A store reached directly, for tests that need no faults or simulated clocks on the far side.
struct StoreRemote: SyncRemote {
    let store: Store

    init(_ store: Store) { self.store = store }

    func fetch(after cursor: Int64, limit: Int, requester: NodeID) throws -> ChangeBatch {
        let page = try store.read { try $0.changes(after: cursor, limit: limit, excluding: requester) }
        return ChangeBatch(nodeID: store.nodeID, changes: page.changes, cursor: page.cursor, hasMore: page.hasMore)
    }

    func send(_ changes: [Change], from sender: NodeID) throws -> MergeCounts {
        try store.write { s in try s.applyRemote(changes, from: sender) }
    }
}
