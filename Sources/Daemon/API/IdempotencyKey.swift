import Model
import Storage

/// `Idempotency-Key` on a POST: a retry with the same key and body gets the first response back
/// instead of making a second record; the same key with another body is refused (422).
final class IdempotencyKey: Sendable {
    let key: String
    let token: String
    let requestHash: String
    /// Set on the writer thread when the response came from the first request.
    let replayed = Locked<Bool>(false)

    /// Nil when the request carries no key.
    init?(_ request: HTTPRequest, token: TokenInfo) throws {
        guard let key = request.headers["Idempotency-Key"] else { return nil }
        guard !key.isEmpty, key.utf8.count <= 255, key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw Problem.badRequest("Idempotency-Key must be 1–255 visible ASCII characters")
        }
        self.key = key
        self.token = token.name
        var bytes = Array("\(request.method) \(request.path)\n".utf8)
        bytes.append(contentsOf: request.body)
        requestHash = Hex.encode(SHA256.hash(bytes))
    }

    /// Replays the saved response for this key, or runs `write` and saves its response.
    func replaying(in session: MutationSession, _ write: () throws -> SavedResponse) throws -> SavedResponse {
        switch try session.idempotentResponse(token: token, key: key, requestHash: requestHash) {
        case .replay(let saved):
            replayed.withLock { $0 = true }
            return saved
        case .mismatch:
            throw Problem.validation(
                ValidationFailure("Idempotency-Key", "was already used for a different request; use a new key"))
        case .new:
            let response = try write()
            try session.saveIdempotentResponse(token: token, key: key, requestHash: requestHash, response)
            return response
        }
    }
}

extension Optional where Wrapped == IdempotencyKey {
    func replaying(in session: MutationSession, _ write: () throws -> SavedResponse) throws -> SavedResponse {
        switch self {
        case .some(let key): return try key.replaying(in: session, write)
        case .none: return try write()
        }
    }
}

extension Locked where Value == Bool {
    var value: Bool { withLock { $0 } }
}
