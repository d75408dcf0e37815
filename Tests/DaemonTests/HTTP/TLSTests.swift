import Daemon
import Foundation
import Testing

@Suite("HTTP server: TLS")
struct TLSTests {
    static let tools = ["/usr/bin/openssl", "/usr/bin/curl"]
    static var toolsMissing: Bool {
        tools.contains { !FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(
        .disabled(if: TLSTests.toolsMissing, "needs /usr/bin/openssl and /usr/bin/curl (apt-get install openssl curl)"))
    func servesHTTPSWithAPEMCertificateAndKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem")
        let key = directory.appendingPathComponent("key.pem")
        let made = try run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.path, "-out", certificate.path,
            ])
        try #require(made.status == 0, "openssl failed: \(made.output)")

        try withTestServer { configuration in
            configuration.tls = TLSConfiguration(
                certificatePEM: try! String(contentsOf: certificate, encoding: .utf8),
                keyPEM: try! String(contentsOf: key, encoding: .utf8))
        } handler: { request, responder in
            responder.respond(.text("secure \(request.path)"))
        } _: { server in
            let fetched = try run(
                "/usr/bin/curl",
                [
                    "--silent", "--show-error", "--max-time", "10", "--cacert", certificate.path,
                    "https://127.0.0.1:\(server.port)/hello",
                ])
            #expect(fetched.status == 0, "curl failed: \(fetched.output)")
            #expect(fetched.output == "secure /hello")
            // Plain HTTP on the TLS port gets no HTTP answer.
            let plain = try HTTPTestClient(port: server.port, timeout: .seconds(2))
            try plain.send("GET", "/hello")
            #expect(throws: (any Error).self) { _ = try plain.readResponse() }
        }
    }

    @Test func invalidKeyMaterialFailsToStartWithAMessage() throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.tls = TLSConfiguration(certificatePEM: "not a certificate", keyPEM: "not a key")
        let server = try HTTPServer(configuration: configuration, handler: ClosureHandler { _, _ in })
        let error = #expect(throws: HTTPServerError.self) { try server.start() }
        #expect(error?.code == .startFailed)
        #expect(error?.description.contains("TLS") == true)
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        // Output through files, not a pipe that a daemon spawned by another test could inherit and hold open.
        let result = try DaemonProcess.runToCompletion(executable, arguments)
        return (result.status, result.output + result.errors)
    }
}
