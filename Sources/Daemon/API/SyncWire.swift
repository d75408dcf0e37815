import Model
import Storage
import Sync

/// The sync protocol's JSON, as served and accepted over HTTP.
enum SyncWire {
    /// `{"changes", "cursor", "has_more", "node_id", "protocol", "schema"}`, written without building
    /// a tree for the (possibly many thousand) changes.
    static func page(_ page: ChangePage, node: NodeID) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + page.changes.count * 160)
        out.append(contentsOf: #"{"changes":["#.utf8)
        let writer = JSONWriter()
        for (i, change) in page.changes.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            writer.write(ChangeCodec.encode(change), into: &out)
        }
        out.append(contentsOf: #"],"cursor":""#.utf8)
        out.append(contentsOf: String(page.cursor).utf8)
        out.append(contentsOf: #"","has_more":"#.utf8)
        out.append(contentsOf: (page.hasMore ? "true" : "false").utf8)
        out.append(contentsOf: #","node_id":""#.utf8)
        out.append(contentsOf: node.hex.utf8)
        out.append(contentsOf: #"","protocol":"#.utf8)
        out.append(contentsOf: String(SyncProtocol.version).utf8)
        out.append(contentsOf: #","schema":""#.utf8)
        out.append(contentsOf: Catalog.fingerprint.utf8)
        out.append(contentsOf: #""}"#.utf8)
        return out
    }

    /// Checks a caller's protocol version and schema fingerprint (409 on mismatch).
    static func checkCompatible(protocol version: JSONValue?, schema: JSONValue?) throws {
        guard let version else {
            throw Problem.badRequest("sync calls must carry protocol (this replica speaks \(SyncProtocol.version))")
        }
        guard version.integerValue == Int64(SyncProtocol.version) else {
            throw Problem.incompatible(
                "sync protocol \(version.jsonString) is not spoken here; this replica speaks protocol \(SyncProtocol.version)")
        }
        guard let schema = schema?.stringValue else {
            throw Problem.badRequest("sync calls must carry schema (this replica's is \(Catalog.fingerprint))")
        }
        guard schema == Catalog.fingerprint else {
            throw Problem.incompatible(
                "schema \(schema) differs from this replica's \(Catalog.fingerprint): upgrade both replicas to the same jobprepd version before syncing")
        }
    }
}

extension Problem {
    static func incompatible(_ detail: String) -> Problem {
        Problem(status: 409, kind: "incompatible", title: "Incompatible Replica", detail: detail)
    }

    static func cursorExpired(_ cursor: Int64, horizon: Int64) -> Problem {
        Problem(
            status: 410, kind: "cursor-expired", title: "Cursor Expired",
            detail: "cursor \(cursor) is older than this replica's compaction horizon \(horizon); resync from cursor 0")
    }

    static func clockSkew(peer: String, _ skew: ClockSkewError) -> Problem {
        Problem(
            status: 409, kind: "clock-skew", title: "Clock Skew",
            detail: "peer \(peer) sent a change stamped \(skew.skewMillis / 1000) s ahead of this replica's clock "
                + "(limit \(skew.maxSkewMillis / 1000) s); nothing of the batch was applied. Fix the peer's clock.")
    }
}
