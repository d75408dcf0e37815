import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid` on its own pid.
///
/// Not Foundation's `Process`: under load (the sanitizer runs), its exit monitoring missed children that had exited,
/// and waiting on its pipes could hang when another test's child inherited their write end. Children here write
/// to files and are waited for by pid.
struct ChildProcess {
    let pid: pid_t

    /// Starts `executable`; standard input is /dev/null, standard output and error are appended to the given files.
    init(_ executable: String, _ arguments: [String], output: String, errors: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        // The test process may block or ignore signals on this thread; the child starts with the defaults.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGCHLD, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw TestFailure("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// The exit status (or the signal that ended it), once it has ended; nil while it runs.
    func poll() -> (status: Int32, signalled: Bool)? {
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        guard reaped == pid else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? ((status >> 8) & 0xFF, false) : (signal, true)
    }

    /// Waits for it to end; nil if it still runs after `timeout`.
    func wait(timeout: Duration) -> (status: Int32, signalled: Bool)? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let ended = poll() { return ended }
            if ContinuousClock.now >= deadline { return nil }
            usleep(5_000)
        }
    }
}

/// The real `jobprepd serve` binary in a child process, for tests that kill it (SIGKILL, SIGTERM) as a user or a
/// crash would. It listens on a free port on 127.0.0.1; its output goes to `daemon.log` in the data directory.
final class DaemonProcess {
    let directory: URL
    private let child: ChildProcess
    private var exit: (status: Int32, signalled: Bool)?
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
        let offset = (try? FileManager.default.attributesOfItem(atPath: logURL.path)[.size] as? Int) ?? 0
        child = try ChildProcess(
            Self.binary.path,
            ["serve", "--data-dir", directory.path, "--port", "0", "--threads", "2", "--no-log-requests"] + arguments,
            output: logURL.path, errors: logURL.path)
        do {
            try waitUntilServing(after: offset)
        } catch {
            signal(SIGKILL)
            _ = waitForExit()
            throw error
        }
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
            if let ended = child.poll() {
                exit = ended
                throw TestFailure("jobprepd exited with \(ended.status) before serving:\n\(log)")
            }
            usleep(20_000)
        }
        throw TestFailure("jobprepd did not start serving within 60 s:\n\(log)")
    }

    /// Runs `jobprepd` with `arguments` to completion: its exit status, standard output and standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try runToCompletion(binary.path, arguments)
    }

    /// Runs a program to completion (at most two minutes) and returns what it wrote.
    static func runToCompletion(_ executable: String, _ arguments: [String]) throws -> (
        status: Int32, output: String, errors: String
    ) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("stdout")
        let errors = directory.appendingPathComponent("stderr")
        let child = try ChildProcess(executable, arguments, output: output.path, errors: errors.path)
        guard let ended = child.wait(timeout: .seconds(120)) else {
            kill(child.pid, SIGKILL)
            _ = child.wait(timeout: .seconds(10))
            throw TestFailure("\(executable) \(arguments) did not finish within two minutes")
        }
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return (ended.signalled ? 128 + ended.status : ended.status, read(output), read(errors))
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    var pid: pid_t { child.pid }

    func signal(_ number: Int32) {
        if exit == nil { kill(child.pid, number) }
    }

    /// Waits for the process to end; nil if it is still running after `timeout`.
    func waitForExit(timeout: Duration = .seconds(30)) -> (status: Int32, signalled: Bool)? {
        if exit == nil { exit = child.wait(timeout: timeout) }
        return exit
    }

    /// A client on a new connection, authenticated with the first token.
    func client(timeout: Duration = .seconds(10)) throws -> APIClient {
        APIClient(connection: try HTTPTestClient(port: port, timeout: timeout), token: token)
    }

    deinit {
        if exit == nil {
            kill(child.pid, SIGKILL)
            _ = child.wait(timeout: .seconds(10))
        }
    }
}
