import Foundation
import Model
import Synchronization
import Testing

@testable import Daemon

@Suite struct ConnectionTests {
    @Test func aSecondDaemonOnATakenPortFailsToStartWithoutCrashing() throws {
        let first = try TestDaemon()
        let port = first.port
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "jobprep-second-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = DaemonConfiguration(dataDirectory: DataDirectory(path: directory.path))
        configuration.http.port = port
        configuration.api.logRequests = false
        do {
            let second = try Application(configuration: configuration)
            #expect(throws: HTTPServerError.self) { try second.start() }
            second.stop()
        }  // released here: it must not trap
        #expect(try first.client().get("/healthz").status == 200)
    }

    @Test func manyRequestsShareOneKeepAliveConnection() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        for i in 0..<300 {
            let response =
                i % 3 == 0
                ? try client.post("/v1/values", ["name": .string("v\(i)")]) : try client.get("/v1/values?limit=1")
            #expect(response.status == (i % 3 == 0 ? 201 : 200))
            #expect(response.header("Connection")?.lowercased() != "close")
        }
    }

    @Test func paginationVisitsEveryRecordOnceWhileOthersInsert() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        var original: Set<String> = []
        for i in 0..<150 {
            original.insert(try client.create("contacts", ["name": .string("Person \(i)")])["id"]!.stringValue!)
        }
        let stop = Atomic<Bool>(false)
        let writer = Thread {
            guard let other = try? daemon.client() else { return }
            var i = 0
            while !stop.load(ordering: .relaxed) {
                _ = try? other.post("/v1/contacts", ["name": .string("Late \(i)")])
                i += 1
            }
        }
        writer.start()
        defer { stop.store(true, ordering: .relaxed) }
        for sort in ["created_at", "-created_at", "name", "id"] {
            var seen: [String] = []
            var cursor: String?
            repeat {
                let target = "/v1/contacts?limit=7&sort=\(sort)" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try client.get(target).object()
                seen += page["items"]!.arrayValue!.map { $0.objectValue!["id"]!.stringValue! }
                cursor = page["next_cursor"]?.stringValue
            } while cursor != nil
            #expect(seen.count == Set(seen).count, "sort \(sort): a record was visited twice")
            #expect(original.isSubset(of: Set(seen)), "sort \(sort): a record was skipped")
        }
    }

    @Test func dataSurvivesARestart() throws {
        let daemon = try TestDaemon()
        var client = try daemon.client()
        let made = try client.create("stories", ["title": "The billing migration", "tags": ["payments"]])
        let patched = try client.patch("/v1/profile", ["name": "Ana"]).object()
        try daemon.restart()
        client = try daemon.client()
        #expect(try client.get("/v1/stories/\(made["id"]!.stringValue!)").object() == made)
        #expect(try client.get("/v1/profile").object() == patched)
        #expect(try client.all("questions", query: "builtin=true").count == 12)
    }

    @Test func theServedSpecIsTheRepositoryFileByteForByte() throws {
        let daemon = try TestDaemon()
        let served = try daemon.client().get("/openapi.yaml")
        #expect(served.status == 200)
        #expect(served.body == [UInt8](try Data(contentsOf: RepositoryFiles.url("openapi.yaml"))))
    }

    @Test func metricsCountRequestsByRoute() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try client.create("values", ["name": "x"])
        _ = try client.get("/v1/values/nope")
        let text = try client.get("/metrics").text
        #expect(text.contains(#"jobprep_http_requests_total{route="/v1/values",method="POST",status="201"} 1"#))
        #expect(text.contains(#"jobprep_http_requests_total{route="/v1/values/{id}",method="GET",status="404"} 1"#))
        #expect(text.contains("jobprep_http_request_duration_seconds_count"))
        #expect(text.contains("jobprep_changes_applied_total"))
    }

    /// A token's use is noted in memory (at most once a minute) and written out periodically and on stop; a
    /// refused secret notes nothing.
    @Test func aTokensUseIsRecordedByTheTimeTheDaemonStops() throws {
        let daemon = try TestDaemon()
        #expect(try daemon.application.store.tokens().allSatisfy { $0.lastUsedAt == nil })
        _ = try daemon.client(token: "jp_not_a_token").get("/v1/values")
        try daemon.restart()
        #expect(try daemon.application.store.tokens().allSatisfy { $0.lastUsedAt == nil })

        _ = try daemon.client().get("/v1/values")
        _ = try daemon.client().get("/v1/values")
        try daemon.restart()
        let used = try daemon.application.store.tokens().compactMap(\.lastUsedAt)
        #expect(used.count == 1)
    }

    /// A request refused for its token's scope is not a use: it does not hold back noting the next, admitted one.
    @Test func aForbiddenRequestIsNotNotedAsAUse() throws {
        let daemon = try TestDaemon()
        let reader = try daemon.client(token: daemon.application.store.createToken(name: "reader", scope: .read))
        try reader.post("/v1/values", ["name": "x"]).problem(403)
        #expect(try reader.get("/v1/values").status == 200)
        try daemon.restart()
        #expect(try daemon.application.store.tokens().first { $0.name == "reader" }?.lastUsedAt != nil)
    }

    @Test func metricsCountWritesAndTheirBatches() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        func values() throws -> (batches: Int, writes: Int) {
            let text = try client.get("/metrics").text
            func value(_ name: String) throws -> Int {
                try #require(
                    text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                        Int($0.split(separator: " ")[1])
                    })
            }
            return (try value("jobprep_write_batches_total"), try value("jobprep_writes_total"))
        }
        let before = try values()
        for i in 0..<3 { try client.create("values", ["name": .string("v\(i)")]) }
        let after = try values()
        // Each create waits for its commit before the next is sent: three writes, in at least one batch each
        // (anything else the daemon wrote meanwhile, such as a token's last use, counts too).
        #expect(after.writes - before.writes >= 3)
        #expect(after.batches - before.batches >= 3)
        #expect(after.batches <= after.writes)
    }

    @Test func metricsCountReadCacheHitsAndMisses() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let id = try #require(try client.create("values", ["name": "x"])["id"]?.stringValue)
        for _ in 0..<5 { #expect(try client.get("/v1/values/\(id)").status == 200) }
        let text = try client.get("/metrics").text
        func value(_ name: String) -> Int? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Int($0.split(separator: " ")[1]) }
        }
        #expect(text.contains("# TYPE jobprep_read_cache_hits_total counter"))
        // The first read after the create goes to SQLite; the next ones come from memory unless something (the
        // token's last-use time) was committed in between.
        #expect((value("jobprep_read_cache_misses_total") ?? 0) >= 1)
        #expect((value("jobprep_read_cache_hits_total") ?? 0) >= 1)
        // The record, once admitted, unless a commit (the token's last-use time) emptied the cache since.
        let body = try client.get("/v1/values/\(id)").body.count
        let cached = try #require(value("jobprep_read_cache_record_bytes"))
        #expect(cached == 0 || cached == body, "\(cached) bytes cached, the record has \(body)")
    }

    /// The daemon runs in this test process: its RSS gauge is the process's, in bytes.
    @Test func metricsShowTheResidentMemory() throws {
        let daemon = try TestDaemon()
        let text = try daemon.client().get("/metrics").text
        #expect(text.contains("# TYPE process_resident_memory_bytes gauge"))
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("process_resident_memory_bytes ") })
        let reported = try #require(Int(line.split(separator: " ")[1]))
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let kib = try #require(
            status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap {
                Int($0.split(separator: " ", omittingEmptySubsequences: true)[1])
            })
        #expect(abs(reported - kib * 1024) < kib * 1024 / 4, "reported \(reported) bytes, VmRSS \(kib) KiB")
    }

    @Test func firstStartWritesAPrivateTokenFile() throws {
        let daemon = try TestDaemon()
        let attributes = try FileManager.default.attributesOfItem(
            atPath: daemon.directory.appendingPathComponent("token").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(daemon.token.hasPrefix("jp_"))
        try daemon.restart()
        let again = try String(contentsOf: daemon.directory.appendingPathComponent("token"), encoding: .utf8)
        #expect(again.trimmingCharacters(in: .whitespacesAndNewlines) == daemon.token)
    }
}
