import Foundation
import Model
import Storage
import Sync
import Testing

@testable import Daemon

@Suite struct SyncIntegrationTests {
    @Test func twoDaemonsConvergeWithTheSyncCommand() throws {
        let a = try TestDaemon()
        let b = try TestDaemon()
        let ca = try a.client()
        let cb = try b.client()
        let company = try ca.create("companies", ["name": "Acme"])
        try ca.create("opportunities", ["title": "Staff engineer", "company_id": company["id"]!])
        try cb.create("values", ["name": "Autonomy", "rank": 1])
        _ = try cb.patch("/v1/profile", ["name": "Ana"])
        try b.sync(with: a)
        #expect(try a.dataset() == b.dataset())
        #expect(try ca.all("values").count == 1)
        #expect(try cb.all("opportunities").count == 1)
        // A second run moves nothing and leaves them equal.
        try b.sync(with: a)
        #expect(try a.dataset() == b.dataset())
    }

    @Test func changesRelayThroughAThirdDaemon() throws {
        let a = try TestDaemon()
        let b = try TestDaemon()
        let c = try TestDaemon()
        let story = try a.client().create("stories", ["title": "The billing migration"])
        let id = story["id"]!.stringValue!
        try b.sync(with: a)
        try c.sync(with: b)
        #expect(try c.client().get("/v1/stories/\(id)").status == 200)
        _ = try c.client().patch("/v1/stories/\(id)", ["outcome": "Shipped in six weeks"])
        try b.sync(with: c)
        try a.sync(with: b)
        #expect(try a.client().get("/v1/stories/\(id)").object()["outcome"] == "Shipped in six weeks")
        #expect(try a.dataset() == c.dataset())
    }

    @Test func concurrentEditsKeepTheLoserInHistory() throws {
        let a = try TestDaemon()
        let b = try TestDaemon()
        let answer = try a.client().create(
            "answers", ["question_id": "builtin-strengths", "body": "First draft"])
        let id = answer["id"]!.stringValue!
        try b.sync(with: a)
        _ = try a.client().patch("/v1/answers/\(id)", ["body": "Edited on the laptop"])
        Thread.sleep(forTimeInterval: 0.01)
        _ = try b.client().patch("/v1/answers/\(id)", ["body": "Edited on the desktop"])
        try b.sync(with: a)
        #expect(try a.dataset() == b.dataset())
        #expect(try a.client().get("/v1/answers/\(id)").object()["body"] == "Edited on the desktop")
        let history = try a.client().get("/v1/answers/\(id)/history").object()
        let values = history["entries"]?.arrayValue?.compactMap { $0.objectValue?["value"]?.stringValue } ?? []
        #expect(values.contains("Edited on the laptop"))
        #expect(values.contains("First draft"))
        try a.client().get("/v1/answers/never/history").problem(404)
    }

    @Test func theProfileKeepsItsHistoryToo() throws {
        let a = try TestDaemon()
        let b = try TestDaemon()
        _ = try a.client().patch("/v1/profile", ["ideal_role": "A staff role on a payments platform"])
        Thread.sleep(forTimeInterval: 0.01)
        _ = try b.client().patch("/v1/profile", ["ideal_role": "An engineering manager of a small team"])
        try b.sync(with: a)
        let history = try a.client().get("/v1/profile/history").object()
        #expect(history["collection"] == "profile")
        #expect(history["id"] == "profile")
        #expect(history["deleted"] == false)
        let lost =
            history["entries"]?.arrayValue?.compactMap(\.objectValue).filter { $0["field"] == "ideal_role" } ?? []
        #expect(lost.compactMap { $0["value"]?.stringValue } == ["A staff role on a payments platform"])
        #expect(try a.client().get("/v1/profile").object()["ideal_role"] == "An engineering manager of a small team")
        try a.client().get("/v1/profile/nope/history").problem(404)
        // Like every endpoint without parameters, history and sync status refuse a query string.
        try a.client().get("/v1/profile/history?field=ideal_role").problem(400)
        try a.client().get("/v1/sync/status?peer=b").problem(400)
    }

    @Test func syncWorksOverHTTPSWithTheDaemonsOwnCA() throws {
        let pki = try TestCertificate()
        let a = try TestDaemon { $0.http.tls = pki.tls }
        try a.application.store.write { _ in }
        let b = try TestDaemon()
        let seeded = try BodyValidator.validateCreate(["name": "Over TLS"], in: Catalog.values).get()
        _ = try a.application.store.write { s in try s.create(Catalog.values, seeded) }
        #expect {
            try b.sync(with: a, scheme: "https")
        } throws: { error in
            "\(error)".contains("TLS") && "\(error)".contains("--ca")
        }
        try b.sync(with: a, scheme: "https", ca: pki.certificatePath)
        #expect(try b.client().all("values").map { $0["name"] } == ["Over TLS"])
    }

    @Test func longPollWakesWhenAChangeCommits() throws {
        let a = try TestDaemon()
        let client = try a.client()
        let status = try client.get("/v1/sync/status").object()
        let last = status["log"]!.objectValue!["last_sequence"]!.integerValue!
        let started = Date()
        let writer = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            _ = try? a.client().post("/v1/values", ["name": "Woke the poll"])
        }
        writer.start()
        let response = try client.get(
            "/v1/sync/changes?since=\(last)&wait=20&protocol=1&schema=\(Catalog.fingerprint)")
        let elapsed = Date().timeIntervalSince(started)
        #expect(response.status == 200)
        let changes = try response.object()["changes"]?.arrayValue ?? []
        #expect(changes.contains { $0.objectValue?["value"] == "Woke the poll" })
        #expect(elapsed >= 0.25 && elapsed < 5, "waited \(elapsed) s")
        let idle = Date()
        let empty = try client.get(
            "/v1/sync/changes?since=\(try response.object()["cursor"]!.stringValue!)&wait=1&protocol=1&schema=\(Catalog.fingerprint)"
        )
        #expect(try empty.object()["changes"]?.arrayValue?.isEmpty == true)
        #expect(Date().timeIntervalSince(idle) >= 0.9)
    }

    /// libmicrohttpd does not watch a suspended connection: without the daemon's own check, a long-poll whose
    /// client hung up would hold its connection until its `wait` ran out.
    @Test func aParkedLongPollWhoseClientHangsUpIsLetGo() throws {
        let a = try TestDaemon()
        let client = try a.client()
        func parked() throws -> Int? {
            let text = try client.get("/metrics").text
            let line = text.split(separator: "\n").first { $0.hasPrefix("jobprep_sync_waiting_requests ") }
            return line.flatMap { Int($0.split(separator: " ").last ?? "") }
        }
        let cursor = try client.get("/v1/sync/changes?limit=1000&protocol=1&schema=\(Catalog.fingerprint)").object()[
            "cursor"]!
        var pollers: [HTTPTestClient] = []
        for _ in 0..<20 {
            let poller = try HTTPTestClient(port: a.port)
            try poller.send(
                "GET", "/v1/sync/changes?since=\(cursor.stringValue!)&wait=30&protocol=1&schema=\(Catalog.fingerprint)",
                headers: [("Authorization", "Bearer \(a.token)")])
            pollers.append(poller)
        }
        #expect(try eventually { try parked() == 20 })
        for poller in pollers[..<15] { poller.close() }
        #expect(try eventually(within: 3) { try parked() == 5 })
        // The others are still parked, and still answered when a change comes.
        try client.create("values", ["name": "Wakes the rest"])
        for poller in pollers[15...] {
            #expect(try poller.readHead().status == 200)
        }
        #expect(try eventually { try parked() == 0 })
    }

    @Test func eventsArriveInOrderAndResumeWithoutAGap() throws {
        let a = try TestDaemon()
        let writer = try a.client()
        let subscriber = try HTTPTestClient(port: a.port)
        try subscriber.send("GET", "/v1/events", headers: [("Authorization", "Bearer \(a.token)")])
        let head = try subscriber.readHead()
        #expect(head.status == 200)
        #expect(head.header("Content-Type") == "text/event-stream")
        let events = EventReader(connection: subscriber)
        let nodeID = try writer.get("/v1/sync/status").object()["node_id"]?.stringValue
        var seen: [Int64] = []
        for i in 0..<5 { try writer.create("values", ["name": .string("Live \(i)")]) }
        var names: [String] = []
        while names.count < 5 {
            let event = try events.next()
            seen.append(event.id)
            #expect(event.data.objectValue?["node_id"]?.stringValue == nodeID)
            #expect(event.data.objectValue?["cursor"]?.stringValue == String(event.id))
            names += EventReader.valueNames(event.data)
        }
        #expect(names == (0..<5).map { "Live \($0)" })
        #expect(seen == seen.sorted())
        subscriber.close()
        for i in 5..<8 { try writer.create("values", ["name": .string("Missed \(i)")]) }
        let again = try HTTPTestClient(port: a.port)
        try again.send(
            "GET", "/v1/events",
            headers: [("Authorization", "Bearer \(a.token)"), ("Last-Event-ID", String(seen.last!))])
        _ = try again.readHead()
        let (missed, ids) = try EventReader(connection: again).valueNames(atLeast: 3)
        #expect(missed == ["Missed 5", "Missed 6", "Missed 7"])
        #expect(ids.first == seen.last! + 1)
    }

    /// A subscriber that resumes from before the hub's recent window while another subscriber keeps that window
    /// filled gets the rows older than the window from the database, then the window: every row, no gap. (The
    /// catch-up once gave up on a database page that reached into the window, and dropped the rows before it; a
    /// subscriber whose first read came after a few commits lost them the same way, and its stream went quiet.)
    @Test func aSubscriberBehindTheWindowGetsEveryRowWithoutAGap() throws {
        let a = try TestDaemon()
        let writer = try a.client()
        for i in 0..<2 { try writer.create("values", ["name": .string("Before \(i)")]) }
        let live = try HTTPTestClient(port: a.port, timeout: .seconds(5))
        try live.send("GET", "/v1/events", headers: [("Authorization", "Bearer \(a.token)")])
        #expect(try live.readHead().status == 200)
        for i in 0..<2 { try writer.create("values", ["name": .string("Live \(i)")]) }
        // Once the live subscriber has both, the hub's window holds them (and only them).
        let liveNames = try EventReader(connection: live).valueNames(atLeast: 2).names
        #expect(liveNames == ["Live 0", "Live 1"])

        let behind = try HTTPTestClient(port: a.port, timeout: .seconds(5))
        try behind.send("GET", "/v1/events?since=0", headers: [("Authorization", "Bearer \(a.token)")])
        #expect(try behind.readHead().status == 200)
        let (names, ids) = try EventReader(connection: behind).valueNames(atLeast: 4)
        #expect(names == ["Before 0", "Before 1", "Live 0", "Live 1"])
        #expect(ids.first == 1)
        #expect(ids == Array(1...ids.last!))
    }

    @Test func serveWithAPeerKeepsBothSidesInSync() throws {
        let a = try TestDaemon()
        let token = a.token
        let port = a.port
        let b = try TestDaemon {
            $0.peers = [PeerConfiguration(address: try! PeerAddress("http://127.0.0.1:\(port)"), token: token)]
        }
        let fromA = try a.client().create("companies", ["name": "Made on A"])
        #expect(try eventually { try b.client().get("/v1/companies/\(fromA["id"]!.stringValue!)").status == 200 })
        let fromB = try b.client().create("companies", ["name": "Made on B"])
        #expect(try eventually { try a.client().get("/v1/companies/\(fromB["id"]!.stringValue!)").status == 200 })
        #expect(try eventually { try a.dataset() == b.dataset() })
        let status = try b.client().get("/v1/sync/status").object()
        #expect(status["peers"]?.arrayValue?.first?.objectValue?["url"] == .string("http://127.0.0.1:\(port)"))
    }

    @Test func pushGuardsRefuseSkewAndMismatches() throws {
        let a = try TestDaemon()
        let client = try a.client()
        let node = String(repeating: "ab", count: 16)
        let future = HLC(millis: UInt64(Date().timeIntervalSince1970 * 1000) + 3_600_000, counter: 0)
        func push(_ hlc: HLC, schema: String = Catalog.fingerprint, protocolVersion: Int = 1) throws -> TestResponse {
            try client.post(
                "/v1/sync/changes",
                [
                    "node_id": .string(node), "protocol": .int(Int64(protocolVersion)), "schema": .string(schema),
                    "changes": [
                        [
                            "collection": "values", "id": "pushed", "field": "_exists", "value": true, "cl": 1,
                            "hlc": .string(hlc.hex), "node": .string(node),
                        ],
                        [
                            "collection": "values", "id": "pushed", "field": "name", "value": "From a peer", "cl": 1,
                            "hlc": .string(hlc.hex), "node": .string(node),
                        ],
                    ],
                ])
        }
        let skewed = try push(future)
        let problem = try skewed.problem(409)
        #expect(problem["detail"]?.stringValue?.contains(node) == true)
        #expect(problem["detail"]?.stringValue?.contains("ahead") == true)
        try client.get("/v1/values/pushed").problem(404)
        try push(HLC(millis: 1_700_000_000_000, counter: 0), schema: "0000000000000000").problem(409)
        try push(HLC(millis: 1_700_000_000_000, counter: 0), protocolVersion: 2).problem(409)
        let ok = try push(HLC(millis: 1_700_000_000_000, counter: 0))
        #expect(try ok.object() == ["applied": 2, "ignored": 0])
        #expect(try push(HLC(millis: 1_700_000_000_000, counter: 0)).object() == ["applied": 0, "ignored": 2])
        #expect(try client.get("/v1/values/pushed").object()["name"] == "From a peer")
        let invalid = try client.post(
            "/v1/sync/changes",
            [
                "node_id": .string(node), "protocol": 1, "schema": .string(Catalog.fingerprint),
                "changes": [["collection": "nope"]],
            ])
        try invalid.problem(422)
        #expect(try invalid.errorFields().contains("changes[0].collection"))
    }

    @Test func aCompactedPeerAnswers410AndTheSyncCommandResyncs() throws {
        let a = try TestDaemon()
        let b = try TestDaemon()
        let ca = try a.client()
        let doomed = try ca.create("values", ["name": "Doomed"])
        try ca.create("values", ["name": "Survivor"])
        try b.sync(with: a)
        #expect(try ca.delete("/v1/values/\(doomed["id"]!.stringValue!)").status == 204)
        for i in 0..<3 { try ca.create("values", ["name": .string("Later \(i)")]) }
        let report = try a.application.store.compact()
        let stale = try b.application.store.checkpoint(peer: "http://127.0.0.1:\(a.port)").pulled
        #expect(stale < report.horizon)
        try ca.get("/v1/sync/changes?since=1&protocol=1&schema=\(Catalog.fingerprint)").problem(410)
        try b.sync(with: a)
        #expect(try b.client().get("/v1/values/\(doomed["id"]!.stringValue!)").status == 404)
        #expect(try a.dataset() == b.dataset())
    }
}

/// A throwaway self-signed certificate for 127.0.0.1 and localhost, made with openssl.
struct TestCertificate {
    let directory: URL
    let certificatePath: String
    let tls: TLSConfiguration

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificatePath = directory.appendingPathComponent("cert.pem").path
        let keyPath = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", keyPath, "-out", certificatePath,
        ]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("openssl could not make a certificate") }
        tls = TLSConfiguration(
            certificatePEM: try String(contentsOfFile: certificatePath, encoding: .utf8),
            keyPEM: try String(contentsOfFile: keyPath, encoding: .utf8))
    }
}
