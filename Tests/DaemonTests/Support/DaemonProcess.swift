import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `jobprepd serve` binary in a child process, for tests that kill it (SIGKILL, SIGTERM) as a user or a
/// crash would. It listens on a free port on 127.0.0.1; its stderr goes to `daemon.log` in the data directory.
final class DaemonProcess {
    let directory: URL
    let process = Process()
    private(set) var port: UInt16 = 0
    private(set) var token = ""
    let logURL: URL

    /// `jobprepd` next to the test bundle (`.build…/debug/jobprepd`): `swift build` and `swift test` build it.
    static var binary: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("jobprepd")
    }

    /// Starts `jobprepd serve --data-dir directory --port 0` with `arguments` and waits until it listens.
    init(directory: URL, arguments: [String] = []) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        logURL = directory.appendingPathComponent("daemon.log")
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw TestFailure("no jobprepd binary at \(Self.binary.path): run swift build first")
        }
        if !FileManager.default.fileExists(atPath: logURL.path) {
            FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        let offset = Int(try log.seekToEnd())
        process.executableURL = Self.binary
        process.arguments =
            ["serve", "--data-dir", directory.path, "--port", "0", "--threads", "2", "--no-log-requests"] + arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close()
        try waitUntilServing(after: offset)
        token = try String(contentsOf: directory.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits for the "serving" line that this start writes after `offset` in the log.
    private func waitUntilServing(after offset: Int) throws {
        let deadline = ContinuousClock.now + .seconds(60)
        let marker = Array("://127.0.0.1:".utf8)  // after "serving http" or "serving https"
        while ContinuousClock.now < deadline {
            let bytes = Array(((try? Data(contentsOf: logURL)) ?? Data()).dropFirst(offset))
            if let start = bytes.indices.first(where: { bytes[$0...].starts(with: marker) }) {
                let digits = bytes[(start + marker.count)...].prefix { $0 >= 0x30 && $0 <= 0x39 }
                if let port = UInt16(String(decoding: digits, as: UTF8.self)) {
                    self.port = port
                    return
                }
            }
            guard process.isRunning else {
                throw TestFailure("jobprepd exited with \(process.terminationStatus) before serving:\n\(log)")
            }
            usleep(20_000)
        }
        throw TestFailure("jobprepd did not start serving within 60 s:\n\(log)")
    }

    /// Runs `jobprepd` with `arguments` to completion: its exit status, standard output and standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try runToCompletion(binary.path, arguments)
    }

    /// Runs a program to completion and returns what it wrote. Its output goes to files, not pipes: a pipe's end
    /// can be inherited by a daemon another test spawns at the same moment, and then never reaches end-of-file.
    static func runToCompletion(_ executable: String, _ arguments: [String]) throws -> (
        status: Int32, output: String, errors: String
    ) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "jobprep-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        let errorsURL = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        FileManager.default.createFile(atPath: errorsURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorsURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        try output.close()
        try errors.close()
        return (
            process.terminationStatus, try String(contentsOf: outputURL, encoding: .utf8),
            try String(contentsOf: errorsURL, encoding: .utf8)
        )
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    var pid: pid_t { process.processIdentifier }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Waits for the process to end; nil if it is still running after `timeout`.
    func waitForExit(timeout: Duration = .seconds(30)) -> (status: Int32, signalled: Bool)? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            usleep(10_000)
        }
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    /// A client on a new connection, authenticated with the first token.
    func client(timeout: Duration = .seconds(10)) throws -> APIClient {
        APIClient(connection: try HTTPTestClient(port: port, timeout: timeout), token: token)
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}
