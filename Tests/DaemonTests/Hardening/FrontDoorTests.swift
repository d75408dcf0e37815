import ArgumentParser
import Foundation
import Model
import Testing

@testable import Daemon

/// Who gets in: named tokens from the command line with their scopes and instant revocation, CORS only for the
/// configured origins, no plain HTTP on a non-loopback address without --insecure, and HTTPS end to end
/// (serve --tls-cert/--tls-key, and jobprepd sync to an HTTPS peer).
@Suite struct FrontDoorTests {
    private static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-door-\(name)-\(UUID().uuidString)")
    }

    @Test func tokensFromTheCommandLineHaveTheirScopeAreHashedAndRevokedAtOnce() throws {
        let directory = Self.temporary("tokens")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try DaemonProcess(directory: directory)
        defer { daemon.signal(SIGTERM) }
        func jobprepd(_ arguments: [String]) throws -> String {
            let result = try DaemonProcess.run(arguments + ["--data-dir", directory.path])
            #expect(result.status == 0, "\(arguments): \(result.errors)")
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Created while the daemon runs; printed once.
        let reader = try jobprepd(["token", "create", "phone", "--scope", "read"])
        let peer = try jobprepd(["token", "create", "desktop", "--scope", "sync"])
        let writer = try jobprepd(["token", "create", "laptop"])
        let listed = try jobprepd(["token", "list"])
        #expect(listed.contains("phone\tread") && listed.contains("desktop\tsync") && listed.contains("laptop\twrite"))
        #expect(!listed.contains(reader) && !listed.contains(peer) && !listed.contains(writer))
        // Stored as hashes only: no secret appears anywhere in the database files.
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where file.hasPrefix("jobprep.sqlite") {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            for secret in [reader, peer, writer] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) in \(file)")
            }
        }
        #expect(try DaemonProcess.run(["token", "create", "phone", "--data-dir", directory.path]).status != 0)

        let read = APIClient(connection: try HTTPTestClient(port: daemon.port), token: reader)
        #expect(try read.get("/v1/values").status == 200)
        try read.post("/v1/values", ["name": "nope"]).problem(403)
        try read.patch("/v1/profile", ["name": "nope"]).problem(403)
        try read.request(
            "POST", "/v1/sync/changes",
            json: ["node_id": "00000000000000000000000000000001", "protocol": 1, "changes": []]
        )
        .problem(403)

        let sync = APIClient(connection: try HTTPTestClient(port: daemon.port), token: peer)
        try sync.get("/v1/values").problem(403)
        try sync.post("/v1/values", ["name": "nope"]).problem(403)
        try sync.get("/v1/export").problem(403)
        #expect(
            try sync.get("/v1/sync/changes?since=0&limit=10&protocol=1&schema=\(Catalog.fingerprint)").status == 200)
        #expect(try sync.get("/v1/sync/status").status == 200)

        let write = APIClient(connection: try HTTPTestClient(port: daemon.port), token: writer)
        let created = try write.post("/v1/values", ["name": "written"])
        #expect(created.status == 201)
        let location = try #require(created.header("Location"))
        // Every route checks the token through the daemon's read cache, which the revocation below must empty.
        let reads = [
            location, "/v1/values", "/v1/search?q=written", "/v1/export", "\(location)/history", "/v1/sync/status",
        ]
        for _ in 0..<3 {
            for path in reads { #expect(try write.get(path).status == 200, "\(path)") }
        }

        // Revoked from the command line while the daemon runs: refused on the very next request, same connection.
        #expect(try jobprepd(["token", "revoke", "laptop"]) == "revoked laptop")
        for path in reads { try write.get(path).problem(401) }
        try write.post("/v1/values", ["name": "after revocation"]).problem(401)
        #expect(try DaemonProcess.run(["token", "revoke", "laptop", "--data-dir", directory.path]).status != 0)
    }

    @Test func corsOnlyForTheConfiguredOrigins() throws {
        let closed = try TestDaemon()
        let client = try closed.client()
        let plain = try client.get("/v1/values", headers: [("Origin", "https://app.example")])
        #expect(plain.status == 200 && plain.header("Access-Control-Allow-Origin") == nil)
        let preflight = try client.request(
            "OPTIONS", "/v1/values",
            headers: [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")])
        #expect(
            preflight.header("Access-Control-Allow-Origin") == nil
                && preflight.header("Access-Control-Allow-Methods") == nil)

        let open = try TestDaemon { $0.api.corsOrigins = ["https://app.example"] }
        let c = try open.client()
        let allowed = try c.request(
            "OPTIONS", "/v1/values",
            headers: [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")])
        #expect(allowed.status == 204)
        #expect(allowed.header("Access-Control-Allow-Methods")?.contains("PATCH") == true)
        #expect(allowed.header("Access-Control-Allow-Headers")?.contains("Authorization") == true)
        let read = try c.get("/v1/values", headers: [("Origin", "https://app.example")])
        #expect(read.header("Access-Control-Allow-Origin") == "https://app.example")
        #expect(read.header("Vary") == "Origin")
        for origin in ["https://evil.example", "http://app.example", "https://app.example.evil.example", "null"] {
            try c.request(
                "OPTIONS", "/v1/values", headers: [("Origin", origin), ("Access-Control-Request-Method", "POST")]
            )
            .problem(403)
            #expect(try c.get("/v1/values", headers: [("Origin", origin)]).header("Access-Control-Allow-Origin") == nil)
        }
        // CORS is no way around the token: a cross-origin request still needs one.
        try APIClient(connection: try HTTPTestClient(port: open.port), token: nil)
            .get("/v1/values", headers: [("Origin", "https://app.example")]).problem(401)
    }

    @Test(arguments: [
        (["--host", "0.0.0.0"], false), (["--host", "::"], false), (["--host", "192.168.1.20"], false),
        (["--host", "0.0.0.0", "--insecure"], true),
        (["--host", "0.0.0.0", "--tls-cert", "c.pem", "--tls-key", "k.pem"], true),
        (["--host", "127.0.0.1"], true), (["--host", "127.0.0.2"], true), (["--host", "::1"], true),
        (["--host", "localhost"], true), (["--tls-cert", "c.pem"], false),
    ])
    func aNonLoopbackAddressNeedsTLSOrInsecure(arguments: [String], accepted: Bool) throws {
        if accepted {
            _ = try JobPrepCommand.parseAsRoot(["serve"] + arguments)
        } else {
            #expect(throws: (any Error).self) { _ = try JobPrepCommand.parseAsRoot(["serve"] + arguments) }
        }
    }

    @Test func theRefusalToServePlainHTTPSaysWhatToDo() throws {
        let result = try DaemonProcess.run(["serve", "--host", "0.0.0.0", "--data-dir", Self.temporary("refused").path])
        #expect(result.status != 0)
        #expect(result.errors.contains("--tls-cert") && result.errors.contains("--insecure"))
    }

    @Test(.disabled(if: TLSTests.toolsMissing, "needs /usr/bin/openssl and /usr/bin/curl"))
    func httpsEndToEndServeAndSync() throws {
        let directory = Self.temporary("tls")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = try Self.tool(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj",
                "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out",
                certificate,
            ])
        try #require(made.status == 0, "\(made.output)")
        let server = try DaemonProcess(
            directory: directory.appendingPathComponent("server"),
            arguments: ["--tls-cert", certificate, "--tls-key", key])
        defer { server.signal(SIGTERM) }
        #expect(server.log.contains("serving https://127.0.0.1:"))
        let created = try Self.tool(
            "/usr/bin/curl",
            [
                "--silent", "--show-error", "--max-time", "10", "--cacert", certificate, "-H",
                "Authorization: Bearer \(server.token)", "-H", "Content-Type: application/json", "-d",
                #"{"id":"over-tls","name":"sent over HTTPS"}"#, "https://127.0.0.1:\(server.port)/v1/values",
            ])
        #expect(created.output.contains("sent over HTTPS"), "\(created.output)")
        // Plain HTTP on the HTTPS port gets no HTTP answer; a client that does not trust the certificate fails.
        let plain = try HTTPTestClient(port: server.port, timeout: .seconds(2))
        try plain.send("GET", "/healthz")
        #expect(throws: (any Error).self) { _ = try plain.readResponse() }
        let untrusted = try Self.tool(
            "/usr/bin/curl", ["--silent", "--max-time", "10", "https://127.0.0.1:\(server.port)/healthz"])
        #expect(untrusted.status != 0)
        // jobprepd sync to the HTTPS peer, verifying it with --ca.
        let replica = directory.appendingPathComponent("replica")
        let synced = try DaemonProcess.run([
            "sync", "--data-dir", replica.path, "--peer", "https://127.0.0.1:\(server.port)", "--token", server.token,
            "--ca", certificate,
        ])
        #expect(synced.status == 0, "\(synced.errors)")
        let exported = try DaemonProcess.run(["export", "--data-dir", replica.path])
        #expect(exported.output.contains("sent over HTTPS"))
        // Without --ca the self-signed peer is refused.
        let refused = try DaemonProcess.run([
            "sync", "--data-dir", directory.appendingPathComponent("other").path, "--peer",
            "https://127.0.0.1:\(server.port)", "--token", server.token,
        ])
        #expect(refused.status != 0)
    }

    private static func tool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try DaemonProcess.runToCompletion(executable, arguments)
        return (result.status, result.output + result.errors)
    }
}
