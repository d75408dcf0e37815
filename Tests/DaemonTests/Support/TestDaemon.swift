import Foundation
import Model
import Testing

@testable import Daemon

/// A real daemon on a free port with its own temporary data directory, as a user runs it.
final class TestDaemon: @unchecked Sendable {
    let directory: URL
    private(set) var application: Application
    private(set) var token: String
    private let configure: @Sendable (inout DaemonConfiguration) -> Void
    private var stopped = false

    init(
        directory: URL? = nil, configure: @escaping @Sendable (inout DaemonConfiguration) -> Void = { _ in }
    ) throws {
        self.directory =
            directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("jobprep-daemon-\(UUID().uuidString)")
        self.configure = configure
        application = try Self.start(self.directory, configure)
        token = try String(contentsOf: self.directory.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func start(
        _ directory: URL, _ configure: (inout DaemonConfiguration) -> Void
    ) throws -> Application {
        var configuration = DaemonConfiguration(dataDirectory: DataDirectory(path: directory.path))
        configuration.http.port = 0
        configuration.http.threads = 2
        configuration.api.logRequests = false
        configure(&configuration)
        let application = try Application(configuration: configuration)
        try application.start()
        return application
    }

    var port: UInt16 { application.port }

    /// Stops the daemon and starts a new one on the same data directory.
    func restart() throws {
        application.stop()
        application = try Self.start(directory, configure)
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        application.stop()
    }

    /// A client on a new connection, authenticated with the first token.
    func client(token: String? = nil) throws -> APIClient {
        APIClient(connection: try HTTPTestClient(port: port), token: token ?? self.token)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A keep-alive connection that speaks the API's JSON.
final class APIClient {
    let connection: HTTPTestClient
    var token: String?

    init(connection: HTTPTestClient, token: String?) {
        self.connection = connection
        self.token = token
    }

    func request(
        _ method: String, _ target: String, json: JSONValue? = nil, body: [UInt8]? = nil,
        contentType: String? = nil, headers: [(String, String)] = []
    ) throws -> TestResponse {
        var all = headers
        if let token, !headers.contains(where: { $0.0.lowercased() == "authorization" }) {
            all.append(("Authorization", "Bearer \(token)"))
        }
        var bytes = body ?? []
        if let json {
            bytes = JSONWriter().bytes(json)
            all.append(("Content-Type", contentType ?? "application/json"))
        } else if let contentType {
            all.append(("Content-Type", contentType))
        }
        return try connection.request(method, target, headers: all, body: bytes)
    }

    func get(_ target: String, headers: [(String, String)] = []) throws -> TestResponse {
        try request("GET", target, headers: headers)
    }

    func post(_ target: String, _ json: JSONValue, headers: [(String, String)] = []) throws -> TestResponse {
        try request("POST", target, json: json, headers: headers)
    }

    func patch(_ target: String, _ json: JSONValue, headers: [(String, String)] = []) throws -> TestResponse {
        try request("PATCH", target, json: json, contentType: "application/merge-patch+json", headers: headers)
    }

    func delete(_ target: String, headers: [(String, String)] = []) throws -> TestResponse {
        try request("DELETE", target, headers: headers)
    }

    /// Creates a record and returns its JSON, failing the test unless the answer is 201.
    @discardableResult
    func create(_ collection: String, _ body: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> [String: JSONValue]
    {
        let response = try post("/v1/\(collection)", body)
        #expect(response.status == 201, "\(response.text)", sourceLocation: sourceLocation)
        return try response.object()
    }

    /// Every record of a collection, following cursors.
    func all(_ collection: String, query: String = "") throws -> [[String: JSONValue]] {
        var items: [[String: JSONValue]] = []
        var cursor: String?
        repeat {
            var target = "/v1/\(collection)?limit=500" + (query.isEmpty ? "" : "&\(query)")
            if let cursor { target += "&cursor=\(cursor)" }
            let page = try get(target).object()
            items += page["items"]?.arrayValue?.compactMap(\.objectValue) ?? []
            cursor = page["next_cursor"]?.stringValue
        } while cursor != nil
        return items
    }
}

extension TestResponse {
    func json() throws -> JSONValue { try JSONParser.parse(body) }

    func object() throws -> [String: JSONValue] {
        guard let object = try json().objectValue else { throw TestFailure("not a JSON object: \(text)") }
        return object
    }

    /// Checks the response is an RFC 9457 problem with this status, and returns it.
    @discardableResult
    func problem(_ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: JSONValue] {
        #expect(self.status == status, "expected \(status), got \(self.status): \(text)", sourceLocation: sourceLocation)
        #expect(header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try object()
        #expect(problem["status"] == .int(Int64(status)), sourceLocation: sourceLocation)
        #expect(problem["type"]?.stringValue?.hasPrefix("urn:jobprep:problem:") == true, sourceLocation: sourceLocation)
        #expect(problem["title"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(problem["detail"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        return problem
    }

    /// The fields named in a validation problem's `errors`.
    func errorFields() throws -> [String] {
        try object()["errors"]?.arrayValue?.compactMap { $0.objectValue?["field"]?.stringValue } ?? []
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
