import Model
import Storage
import Sync

/// `GET /v1/<collection>/{id}/history`: every earlier or losing value of each field, with the
/// clock and node that wrote it, so an answer another device overwrote can be recovered.
extension API {
    func history(_ exchange: Exchange, _ name: String, id: String) {
        guard check(exchange, ["GET"]) else { return }
        let collection = Catalog.collection(name)!
        let request = exchange.request
        exchange.answer {
            _ = try authenticator.authorize(request, .read)
            let found = try store.read { session in
                try request.refuseQuery()
                return try session.history(collection, id: id)
            }
            guard let (alive, entries) = found else { throw StorageError.notFound(collection: name, id: id) }
            let items: [JSONValue] = entries.map { entry in
                [
                    "field": .string(entry.field), "value": entry.value, "cl": .int(entry.key.cl),
                    "hlc": .string(entry.key.hlc.hex), "node": .string(entry.key.node.hex),
                    "at": .string(entry.key.hlc.timestamp), "reason": .string(entry.reason),
                ]
            }
            return Responses.json([
                "collection": .string(name), "id": .string(id), "deleted": .bool(!alive), "entries": .array(items),
            ])
        }
    }
}
