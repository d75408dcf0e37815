import Foundation
import Model
import Testing

@testable import Daemon

extension TestDaemon {
    var url: String { "http://127.0.0.1:\(port)" }

    /// Runs `jobprepd sync` on this daemon's data directory against `peer`, as a user would.
    func sync(with peer: TestDaemon, scheme: String = "http", ca: String? = nil) throws {
        var arguments = [
            "--data-dir", directory.path, "--peer", "\(scheme)://127.0.0.1:\(peer.port)", "--token", peer.token,
        ]
        if let ca { arguments += ["--ca", ca] }
        let command = try SyncCommand.parse(arguments)
        try command.run()
    }

    /// Every live record of every collection, as served: what two converged replicas must agree on.
    func dataset() throws -> [String: [[String: JSONValue]]] {
        let client = try client()
        var out: [String: [[String: JSONValue]]] = [:]
        for collection in Catalog.all {
            if collection.isSingleton {
                out[collection.name] = [try client.get("/v1/\(collection.name)").object()]
            } else {
                out[collection.name] = try client.all(collection.name, query: "sort=id")
            }
        }
        return out
    }
}

/// Polls until `condition` holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}

/// Reads Server-Sent Events from a streaming response, chunk by chunk.
final class EventReader {
    let connection: HTTPTestClient
    private var text = ""

    init(connection: HTTPTestClient) {
        self.connection = connection
    }

    /// The next event with an id, as (id, data), skipping comments and heartbeats.
    func next() throws -> (id: Int64, data: JSONValue) {
        while true {
            if let range = text.range(of: "\n\n") {
                let block = String(text[..<range.lowerBound])
                text.removeSubrange(..<range.upperBound)
                var id: Int64?
                var data = ""
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                    if line.hasPrefix("data: ") { data += line.dropFirst(6) }
                }
                if let id { return (id, try JSONParser.parse(data)) }
                continue
            }
            guard let chunk = try connection.readChunk() else { throw TestFailure("the event stream ended") }
            text += String(decoding: chunk, as: UTF8.self)
        }
    }

    /// Reads events until they have named at least `count` values (the `name` cells of `values` records): the names,
    /// and the ids of the events read.
    func valueNames(atLeast count: Int) throws -> (names: [String], ids: [Int64]) {
        var names: [String] = []
        var ids: [Int64] = []
        while names.count < count {
            let event = try next()
            ids.append(event.id)
            names += Self.valueNames(event.data)
        }
        return (names, ids)
    }

    /// The values an event's changes name, in order.
    static func valueNames(_ data: JSONValue) -> [String] {
        (data.objectValue?["changes"]?.arrayValue ?? []).compactMap { change in
            guard change.objectValue?["collection"] == "values", change.objectValue?["field"] == "name" else {
                return nil
            }
            return change.objectValue?["value"]?.stringValue
        }
    }
}
