import Foundation
import Model
import Storage

/// Create, read, list, patch and delete, for every collection alike: what differs between
/// collections lives in their ``CollectionSpec``.
extension API {
    static let patchMediaTypes = ["application/merge-patch+json", "application/json"]

    func collectionRoute(_ exchange: Exchange, _ name: String) {
        let collection = Catalog.collection(name)!
        guard check(exchange, ["GET", "POST"]) else { return }
        if exchange.request.method == "POST" {
            create(exchange, collection)
        } else {
            list(exchange, collection)
        }
    }

    func recordRoute(_ exchange: Exchange, _ name: String, id: String) {
        let collection = Catalog.collection(name)!
        guard check(exchange, ["GET", "PATCH", "DELETE"]) else { return }
        switch exchange.request.method {
        case "PATCH": update(exchange, collection, id: id)
        case "DELETE": delete(exchange, collection, id: id)
        default: get(exchange, collection, id: id)
        }
    }

    func profile(_ exchange: Exchange) {
        guard check(exchange, ["GET", "PATCH"]) else { return }
        if exchange.request.method == "PATCH" {
            update(exchange, Catalog.profile, id: Catalog.profileID)
        } else {
            get(exchange, Catalog.profile, id: Catalog.profileID)
        }
    }

    // MARK: Reads

    private func list(_ exchange: Exchange, _ collection: CollectionSpec) {
        let request = exchange.request
        exchange.answer {
            _ = try authenticator.authorize(request, .read)
            let page = try store.read { session in
                let items = request.query.map { (name: $0.name, value: $0.value) }
                let query = try ListQuery.parse(items, collection: collection).mapError(Problem.invalidQuery).get()
                return try session.list(collection, query)
            }
            return Responses.page(page)
        }
    }

    private func get(_ exchange: Exchange, _ collection: CollectionSpec, id: String) {
        let request = exchange.request
        exchange.answer {
            let found = try authenticator.authorize(request, .read, reading: collection, id: id)
            try request.refuseQuery()
            guard let record = found else { throw StorageError.notFound(collection: collection.name, id: id) }
            if request.ifNoneMatch(record.version) {
                return HTTPResponse(status: 304, headers: ["ETag": "\"\(record.version)\""])
            }
            return Responses.record(record)
        }
    }

    // MARK: Writes

    private func create(_ exchange: Exchange, _ collection: CollectionSpec) {
        let request = exchange.request
        let token: TokenInfo
        let input: CreateInput
        let idempotency: IdempotencyKey?
        do {
            token = try authenticator.authorize(request, .write)
            let body = try request.jsonBody()
            input = try BodyValidator.validateCreate(body, in: collection).get()
            idempotency = try IdempotencyKey(request, token: token)
        } catch {
            return exchange.fail(error)
        }
        store.submit({ session -> SavedResponse in
            try idempotency.replaying(in: session) {
                let record = try session.create(collection, input)
                return SavedResponse(
                    status: 201, location: "/v1/\(collection.name)/\(record.id)", etag: record.version,
                    body: Array(record.body.utf8))
            }
        }) { result in
            exchange.respond(result, idempotency: idempotency)
        }
    }

    private func update(_ exchange: Exchange, _ collection: CollectionSpec, id: String) {
        let request = exchange.request
        let values: [String: JSONValue]
        do {
            _ = try authenticator.authorize(request, .write)
            let body = try request.jsonBody(accepting: Self.patchMediaTypes)
            values = try BodyValidator.validatePatch(body, in: collection).get()
        } catch {
            return exchange.fail(error)
        }
        let precondition = request.ifMatch
        store.submit({ session in
            try session.update(collection, id: id, values: values, precondition: precondition)
        }) { result in
            exchange.respond(result.map { Responses.record($0) })
        }
    }

    private func delete(_ exchange: Exchange, _ collection: CollectionSpec, id: String) {
        let request = exchange.request
        do {
            _ = try authenticator.authorize(request, .write)
        } catch {
            return exchange.fail(error)
        }
        let precondition = request.ifMatch
        store.submit({ session in
            try session.delete(collection, id: id, precondition: precondition)
        }) { result in
            exchange.respond(result.map { Responses.noContent() })
        }
    }
}

extension Exchange {
    func respond(_ result: Result<HTTPResponse, Error>) {
        switch result {
        case .success(let response): respond(response)
        case .failure(let error): fail(error)
        }
    }

    func respond(_ result: Result<SavedResponse, Error>, idempotency: IdempotencyKey?) {
        respond(
            result.map { saved in
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                if let location = saved.location { headers.add(name: "Location", value: location) }
                if let etag = saved.etag { headers.add(name: "ETag", value: "\"\(etag)\"") }
                if idempotency?.replayed.value == true { headers.add(name: "Idempotent-Replayed", value: "true") }
                return HTTPResponse(status: saved.status, headers: headers, bytes: saved.body)
            })
    }
}
