import Daemon
import Dispatch
import Foundation
import Model
import Testing

@testable import Storage

/// Stopping while writes wait: each gets the answer of what really happened to it.
@Suite struct GracefulStopTests {
    @Test func aWriteStillQueuedWhenTheGracePeriodEndsGetsItsRealAnswer() throws {
        let daemon = try TestDaemon()
        let directory = daemon.directory
        // Hold the writer: the next write waits in its queue past the grace period.
        let gate = DispatchSemaphore(value: 0)
        let holding = DispatchSemaphore(value: 0)
        daemon.application.store.submit({ _ in
            holding.signal()
            gate.wait()
        }) { _ in }
        holding.wait()
        let client = try daemon.client()
        try client.connection.send(
            "POST", "/v1/values",
            headers: [("Authorization", "Bearer \(daemon.token)"), ("Content-Type", "application/json")],
            body: JSONWriter().bytes(["id": "late", "name": "queued at shutdown"]))
        // Only once the write waits in the writer's queue: then it must be answered for what becomes of it.
        let queued = ContinuousClock.now + .seconds(30)
        while daemon.application.store.queuedWrites == 0, ContinuousClock.now < queued { usleep(1000) }
        #expect(daemon.application.store.queuedWrites == 1)
        let stopped = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            daemon.application.stop(gracePeriod: .milliseconds(200))
            stopped.signal()
        }
        usleep(600_000)  // well past the grace period
        gate.signal()
        let response = try? client.connection.readResponse(method: "POST")
        #expect(stopped.wait(timeout: .now() + 30) == .success)
        // Committed, so acknowledged: not a 503 for a write that is then applied anyway. (On a starved machine the
        // connection may close before the answer is out, which the client must treat as "unknown": retry with an
        // Idempotency-Key. What it must never get is a refusal.)
        if let response {
            #expect(response.status == 201, "\(response.status) \(response.text)")
        } else {
            #expect(client.connection.receivedByteCount == 0, "an answer was cut short")
        }
        let store = try Store(path: DataDirectory(path: directory.path).databasePath)
        defer { store.close() }
        #expect(try store.record(Catalog.values, id: "late") != nil)
    }

    @Test func writesAfterTheStoreStoppedWritingAre503NotAServerError() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        daemon.application.store.finishWrites()
        let response = try client.post("/v1/values", ["name": "too late"])
        try response.problem(503)
        #expect(try client.get("/v1/values").status == 200)
    }
}
