import Model
import Storage

/// `POST /v1/batch`: several writes in one transaction, all or none, with a result per operation.
extension API {
    static let maxBatchOperations = 1000

    private enum Operation: Sendable {
        case create(CollectionSpec, CreateInput)
        case update(CollectionSpec, id: String, values: [String: JSONValue], precondition: Precondition)
        case delete(CollectionSpec, id: String, precondition: Precondition)
    }

    /// The operation that failed, and why; everything in the batch was rolled back.
    private struct OperationFailure: Error {
        let index: Int
        let error: Error
    }

    func batch(_ exchange: Exchange) {
        guard check(exchange, ["POST"]) else { return }
        let operations: [Operation]
        do {
            _ = try authenticator.authorize(exchange.request, .write)
            operations = try Self.parseOperations(try exchange.request.jsonBody())
        } catch {
            return exchange.fail(error)
        }
        store.submit({ session -> [JSONValue] in
            var results: [JSONValue] = []
            for (index, operation) in operations.enumerated() {
                do {
                    results.append(try Self.perform(operation, session))
                } catch {
                    // Wrapped here: the writer cannot see through OperationFailure (a full disk must stay a 507).
                    throw OperationFailure(index: index, error: StorageError.wrap(error))
                }
            }
            return results
        }) { result in
            switch result {
            case .success(let results):
                exchange.respond(Responses.json(["results": .array(results)]))
            case .failure(let failure as OperationFailure):
                var problem = Problem.from(failure.error)
                let cause = problem.json
                problem = Problem(
                    status: problem.status, kind: problem.kind, title: problem.title,
                    detail: "operation \(failure.index) failed, so nothing was applied: \(problem.detail)",
                    errors: problem.errors.map { FieldError("operations[\(failure.index)].body.\($0.field)", $0.message) },
                    headers: problem.headers,
                    extensions: [
                        "failed_operation": .int(Int64(failure.index)),
                        "results": .array(
                            operations.indices.map { i in
                                i == failure.index
                                    ? cause
                                    : .object([
                                        "status": 424,
                                        "detail": .string("not applied: operation \(failure.index) failed"),
                                    ])
                            }),
                    ])
                exchange.fail(problem)
            case .failure(let error):
                exchange.fail(error)
            }
        }
    }

    private static func perform(_ operation: Operation, _ session: MutationSession) throws -> JSONValue {
        func result(_ status: Int, _ record: StoredRecord) throws -> JSONValue {
            ["status": .int(Int64(status)), "id": .string(record.id), "body": try JSONParser.parse(record.body)]
        }
        switch operation {
        case .create(let collection, let input):
            return try result(201, session.create(collection, input))
        case .update(let collection, let id, let values, let precondition):
            return try result(200, session.update(collection, id: id, values: values, precondition: precondition))
        case .delete(let collection, let id, let precondition):
            try session.delete(collection, id: id, precondition: precondition)
            return ["status": 204, "id": .string(id)]
        }
    }

    /// Checks every operation before anything is written; every problem is reported at once.
    private static func parseOperations(_ body: JSONValue) throws -> [Operation] {
        guard let object = body.objectValue else {
            throw ValidationFailure("", "the body must be an object with an operations array")
        }
        for key in object.keys where key != "operations" {
            throw ValidationFailure(key, "is not a member of a batch; send {\"operations\": [...]}")
        }
        guard let items = object["operations"]?.arrayValue else {
            throw ValidationFailure("operations", "must be an array of operations")
        }
        guard !items.isEmpty, items.count <= maxBatchOperations else {
            throw ValidationFailure("operations", "must hold 1 to \(maxBatchOperations) operations")
        }
        var operations: [Operation] = []
        var errors: [FieldError] = []
        for (index, item) in items.enumerated() {
            let at = "operations[\(index)]"
            switch parseOperation(item) {
            case .success(let operation): operations.append(operation)
            case .failure(let failure):
                errors += failure.errors.map { FieldError($0.field.isEmpty ? at : "\(at).\($0.field)", $0.message) }
            }
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return operations
    }

    private static func parseOperation(_ item: JSONValue) -> Result<Operation, ValidationFailure> {
        guard let object = item.objectValue else {
            return .failure(ValidationFailure("", "must be an object with method and path"))
        }
        for key in object.keys.sorted() where !["method", "path", "body", "if_match"].contains(key) {
            return .failure(ValidationFailure(key, "is not a member of an operation (method, path, body, if_match)"))
        }
        guard let method = object["method"]?.stringValue, ["POST", "PATCH", "DELETE"].contains(method) else {
            return .failure(ValidationFailure("method", "must be POST, PATCH or DELETE"))
        }
        guard let path = object["path"]?.stringValue else {
            return .failure(ValidationFailure("path", "must be a path such as /v1/values or /v1/values/{id}"))
        }
        let precondition: Precondition
        switch object["if_match"] {
        case nil, .null?: precondition = .none
        case .string(let version)?: precondition = version == "*" ? .exists : .version(in: [version])
        default: return .failure(ValidationFailure("if_match", "must be a version string"))
        }
        let body = object["body"] ?? .null
        func prefixed(_ failure: ValidationFailure) -> ValidationFailure {
            ValidationFailure(failure.errors.map { FieldError($0.field.isEmpty ? "body" : "body.\($0.field)", $0.message) })
        }
        switch (method, Route(path: path)) {
        case ("POST", .collection(let name)):
            let collection = Catalog.collection(name)!
            return BodyValidator.validateCreate(body, in: collection).map { .create(collection, $0) }.mapError(prefixed)
        case ("PATCH", .record(let name, let id)):
            let collection = Catalog.collection(name)!
            return BodyValidator.validatePatch(body, in: collection)
                .map { .update(collection, id: id, values: $0, precondition: precondition) }.mapError(prefixed)
        case ("PATCH", .profile):
            return BodyValidator.validatePatch(body, in: Catalog.profile)
                .map { .update(Catalog.profile, id: Catalog.profileID, values: $0, precondition: precondition) }
                .mapError(prefixed)
        case ("DELETE", .record(let name, let id)):
            if object["body"] != nil { return .failure(ValidationFailure("body", "a DELETE takes no body")) }
            return .success(.delete(Catalog.collection(name)!, id: id, precondition: precondition))
        default:
            return .failure(
                ValidationFailure(
                    "path", "\(method) \(path) is not a write the batch can do (POST a collection, PATCH or DELETE a record)"))
        }
    }
}
