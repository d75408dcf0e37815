import Foundation
import Model
import Sync

/// A peer reached over HTTP(S): the ``SyncRemote`` of `jobprepd sync` and `serve --peer`.
final class HTTPPeer: SyncRemote {
    let address: PeerAddress
    private let token: String
    private let client: HTTPClient
    /// Largest request body sent in one push; pushes are split below it (the peer refuses >1 MiB).
    var maxPushBytes = 512 * 1024
    /// Long-poll: how long a fetch may wait on the peer for new changes (0: answer at once).
    var waitSeconds = 0

    init(address: PeerAddress, token: String, caFile: String?) {
        self.address = address
        self.token = token
        client = HTTPClient(address: address, caFile: caFile, timeoutSeconds: 60)
    }

    func close() { client.close() }

    /// Unblocks a request in progress on another thread (it fails); safe from any thread.
    func interrupt() { client.interrupt() }

    private var auth: [(String, String)] { [("Authorization", "Bearer \(token)")] }

    func fetch(after cursor: Int64, limit: Int, requester: NodeID) throws -> ChangeBatch {
        var path = "/v1/sync/changes?since=\(cursor)&limit=\(min(limit, 10_000))&node_id=\(requester.hex)"
        path += "&protocol=\(SyncProtocol.version)&schema=\(Catalog.fingerprint)"
        if waitSeconds > 0 { path += "&wait=\(waitSeconds)" }
        let response = try client.request("GET", path, headers: auth, timeoutSeconds: waitSeconds + 30)
        if response.status == 410 { throw SyncError.cursorCompacted }
        let object = try checked(response, "pulling changes")
        guard let node = object["node_id"]?.stringValue.flatMap(NodeID.init(hex:)),
            let cursorText = object["cursor"]?.stringValue, let next = Int64(cursorText),
            let hasMore = object["has_more"]?.boolValue, let items = object["changes"]?.arrayValue
        else { throw SyncError.transport("the peer's change page is malformed") }
        guard object["protocol"]?.integerValue == Int64(SyncProtocol.version),
            object["schema"]?.stringValue == Catalog.fingerprint
        else {
            throw SyncError.incompatible(
                "the peer speaks protocol \(object["protocol"]?.jsonString ?? "?") with schema \(object["schema"]?.stringValue ?? "?"); this replica speaks \(SyncProtocol.version) with \(Catalog.fingerprint)")
        }
        var changes: [Change] = []
        changes.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            switch ChangeCodec.decode(item, path: "changes[\(i)]") {
            case .success(let change): changes.append(change)
            case .failure(let failure):
                throw SyncError.transport("the peer sent an invalid change: \(failure.errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "))")
            }
        }
        return ChangeBatch(nodeID: node, changes: changes, cursor: next, hasMore: hasMore)
    }

    func send(_ changes: [Change], from sender: NodeID) throws -> MergeCounts {
        var total = MergeCounts()
        var start = 0
        while start < changes.count {
            var end = changes.count
            var body = pushBody(changes[start..<end], sender)
            // Halve until the body fits; a single cell is sent as is (the peer answers 413 if it is too big).
            while body.count > maxPushBytes, end - start > 1 {
                end = start + (end - start) / 2
                body = pushBody(changes[start..<end], sender)
            }
            let response = try client.request(
                "POST", "/v1/sync/changes", headers: auth + [("Content-Type", "application/json")], body: body)
            let object = try checked(response, "pushing changes")
            total = total + MergeCounts(
                applied: Int(object["applied"]?.integerValue ?? 0), ignored: Int(object["ignored"]?.integerValue ?? 0))
            start = end
        }
        return total
    }

    private func pushBody(_ changes: ArraySlice<Change>, _ sender: NodeID) -> [UInt8] {
        var out = Array(#"{"changes":["#.utf8)
        let writer = JSONWriter()
        for (i, change) in changes.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            writer.write(ChangeCodec.encode(change), into: &out)
        }
        out += Array(#"],"node_id":"\#(sender.hex)","protocol":\#(SyncProtocol.version),"schema":"\#(Catalog.fingerprint)"}"#.utf8)
        return out
    }

    /// The JSON object of a successful answer, or the peer's problem turned into an error.
    private func checked(_ response: ClientResponse, _ doing: String) throws -> [String: JSONValue] {
        let json = try? JSONParser.parse(response.body)
        guard (200..<300).contains(response.status) else {
            let detail = json?.objectValue?["detail"]?.stringValue ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            let message = "\(doing) with \(address): HTTP \(response.status): \(detail)"
            if response.status == 409 { throw SyncError.incompatible(message) }
            throw SyncError.transport(message)
        }
        guard let object = json?.objectValue else {
            throw SyncError.transport("\(doing) with \(address): the answer is not a JSON object")
        }
        return object
    }
}
