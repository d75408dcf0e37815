import Model
import Storage

/// An error answered as RFC 9457 `application/problem+json`. Every failure is turned into one of
/// these once, here at the edge; `type` names the kind of problem, `detail` says what to fix.
struct Problem: Error, Sendable {
    let status: Int
    /// The last part of the type URI, `urn:jobprep:problem:<kind>`.
    let kind: String
    let title: String
    let detail: String
    var errors: [FieldError] = []
    var headers: HTTPHeaders = HTTPHeaders()
    /// Extension members (RFC 9457 §3.2), such as a batch's per-operation results.
    var extensions: [String: JSONValue] = [:]

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "type": .string("urn:jobprep:problem:\(kind)"), "title": .string(title), "status": .int(Int64(status)),
            "detail": .string(detail),
        ]
        if !errors.isEmpty {
            object["errors"] = .array(
                errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
        }
        for (key, value) in extensions { object[key] = value }
        return .object(object)
    }

    var response: HTTPResponse {
        var headers = self.headers
        headers.add(name: "Content-Type", value: "application/problem+json")
        return HTTPResponse(status: status, headers: headers, bytes: JSONWriter().bytes(json))
    }
}

extension Problem {
    static func malformedJSON(_ detail: String) -> Problem {
        Problem(status: 400, kind: "malformed-json", title: "Malformed JSON", detail: detail)
    }

    static func badRequest(_ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(status: 400, kind: "bad-request", title: "Bad Request", detail: detail, errors: errors)
    }

    /// A query string sent to an endpoint that takes none.
    static let noQueryParameters = Problem.badRequest("this endpoint takes no query parameters")

    static func invalidQuery(_ failure: ValidationFailure) -> Problem {
        Problem(
            status: 400, kind: "invalid-query", title: "Invalid Query",
            detail: "the query string is not valid here: "
                + failure.errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "),
            errors: failure.errors)
    }

    static func unauthorized(_ detail: String) -> Problem {
        Problem(
            status: 401, kind: "unauthorized", title: "Unauthorized", detail: detail,
            headers: ["WWW-Authenticate": #"Bearer realm="jobprep""#])
    }

    static func forbidden(_ detail: String) -> Problem {
        Problem(status: 403, kind: "forbidden", title: "Forbidden", detail: detail)
    }

    static func hostNotAllowed(_ host: String) -> Problem {
        Problem(
            status: 403, kind: "host-not-allowed", title: "Host Not Allowed",
            detail: "requests for host \"\(host)\" are refused (DNS rebinding guard); allow it with --allow-host")
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, kind: "not-found", title: "Not Found", detail: detail)
    }

    static func methodNotAllowed(_ method: String, allowed: [String]) -> Problem {
        Problem(
            status: 405, kind: "method-not-allowed", title: "Method Not Allowed",
            detail: "\(method) is not allowed here; allowed: \(allowed.joined(separator: ", "))",
            headers: ["Allow": allowed.joined(separator: ", ")])
    }

    static func conflict(_ detail: String) -> Problem {
        Problem(status: 409, kind: "conflict", title: "Conflict", detail: detail)
    }

    static func preconditionFailed(current: String) -> Problem {
        Problem(
            status: 412, kind: "precondition-failed", title: "Precondition Failed",
            detail: "If-Match does not match the record's current version \"\(current)\"",
            headers: ["ETag": "\"\(current)\""])
    }

    static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(status: 415, kind: "unsupported-media-type", title: "Unsupported Media Type", detail: detail)
    }

    static func validation(_ failure: ValidationFailure) -> Problem {
        let summary = failure.errors.prefix(3).map { $0.field.isEmpty ? $0.message : "\($0.field) \($0.message)" }
        return Problem(
            status: 422, kind: "validation", title: "Validation Failed",
            detail: summary.joined(separator: "; ") + (failure.errors.count > 3 ? "; …" : ""), errors: failure.errors)
    }

    static func storageFull() -> Problem {
        Problem(
            status: 507, kind: "storage-full", title: "Insufficient Storage",
            detail: "the database cannot grow (disk full); nothing was written, reads still work")
    }

    static func unavailable(_ detail: String) -> Problem {
        Problem(status: 503, kind: "unavailable", title: "Service Unavailable", detail: detail)
    }

    static func internalError(_ detail: String) -> Problem {
        Problem(status: 500, kind: "internal", title: "Internal Server Error", detail: detail)
    }

    /// The problem for any error thrown below the edge.
    static func from(_ error: Error) -> Problem {
        switch error {
        case let problem as Problem: return problem
        case let failure as ValidationFailure: return .validation(failure)
        case let storage as StorageError:
            switch storage {
            case .notFound(let collection, let id): return .notFound("no \(collection) record has id \(id)")
            case .versionMismatch(let current): return .preconditionFailed(current: current)
            case .alreadyExists(let collection, let id):
                return .conflict("a \(collection) record with id \(id) already exists; PATCH it or choose another id")
            case .invalid(let failure): return .validation(failure)
            case .full: return .storageFull()
            case .closing: return .unavailable("the server is shutting down; nothing was written, retry later")
            case .searchBehind:
                return .unavailable("the search index has not caught up with the latest writes yet; retry later")
            case .database(let message): return .internalError("database error: \(message)")
            }
        default:
            return .internalError("\(error)")
        }
    }
}
