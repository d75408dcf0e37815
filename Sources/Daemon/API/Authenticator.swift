import Foundation
import Model
import Storage

/// What a route needs of the caller's token.
enum Access {
    case read
    case write
    /// Reading the change feed: any token (a read-only front end may follow changes).
    case syncRead
    /// Pushing changes: a `sync` or `write` token.
    case syncWrite

    func allows(_ scope: TokenScope) -> Bool {
        switch (self, scope) {
        case (_, .write): return true
        case (.read, .read), (.syncRead, .read): return true
        case (.syncRead, .sync), (.syncWrite, .sync): return true
        default: return false
        }
    }
}

/// Checks bearer tokens against the `tokens` table on every request (through the store's read cache, which any commit
/// empties), so a revocation, even by another process, takes effect at once; records last use without a write per
/// request.
final class Authenticator: Sendable {
    private let store: Store
    /// Secret → its hash, so the hash is not recomputed per request, and when its use was last noted; bounded. It
    /// only memoizes a pure function, so revocation is unaffected. One lock per request for both.
    private let secrets = Locked<[String: Secret]>([:])
    private let pending = Locked<[String: String]>([:])

    private struct Secret {
        let hash: String
        /// When its use was last noted (`Monotonic` nanoseconds); nil until it is first admitted.
        var lastNoted: UInt64?
    }

    init(store: Store) {
        self.store = store
    }

    /// The caller's token, from the store's read cache while nothing was committed since it was last read, else from a
    /// read transaction of its own. Every route checks it before it reads or queues a write.
    func authorize(_ request: HTTPRequest, _ access: Access) throws -> TokenInfo {
        let secret = try secret(request)
        return try admit(store.token(hash: secret.hash).token, access, secret: secret)
    }

    /// Authorizes and reads one record, both as of one committed state (from the store's read cache when it can).
    func authorize(_ request: HTTPRequest, _ access: Access, reading collection: CollectionSpec, id: String) throws
        -> StoredRecord?
    {
        let secret = try secret(request)
        let found = try store.token(hash: secret.hash, record: (collection, id))
        _ = try admit(found.token, access, secret: secret)
        return found.record
    }

    /// The bearer secret the request presents, its hash, and whether its use is due to be noted (once a minute).
    private func secret(_ request: HTTPRequest) throws -> PresentedSecret {
        guard let header = request.headers["Authorization"] else {
            throw Problem.unauthorized("send Authorization: Bearer <token>; the first token is in <data-dir>/token")
        }
        guard let secret = Self.bearerSecret(header) else {
            throw Problem.unauthorized("the Authorization header must be Bearer <token>")
        }
        guard secret.utf8.count <= 256 else { throw Self.invalidToken }
        return remember(String(secret))
    }

    private static let invalidToken = Problem.unauthorized("the token is not valid (unknown or revoked)")

    private func admit(_ token: TokenInfo?, _ access: Access, secret: PresentedSecret) throws -> TokenInfo {
        guard let token else { throw Self.invalidToken }
        guard access.allows(token.scope) else {
            throw Problem.forbidden("token \"\(token.name)\" has scope \(token.scope.rawValue), which cannot do this")
        }
        if secret.useIsDue {
            // Only an admitted request counts as a use, so it is noted here, after the checks.
            secrets.withLock { $0[secret.text]?.lastNoted = secret.readAt }
            let time = CalendarDate.formatDateTime(millis: Int64(Date().timeIntervalSince1970 * 1000))
            pending.withLock { $0[token.name] = time }
        }
        return token
    }

    /// The secret of `Bearer <secret>` (the scheme is case-insensitive, RFC 9110 §11.1), or nil for any other
    /// form. It scans bytes, as this runs on every request.
    static func bearerSecret(_ header: String) -> Substring? {
        let value = header.trimmingBlanks()
        let bytes = value.utf8
        var cursor = bytes.startIndex
        for expected in "bearer".utf8 {
            guard cursor < bytes.endIndex, bytes[cursor] | 0x20 == expected else { return nil }
            bytes.formIndex(after: &cursor)
        }
        guard cursor < bytes.endIndex, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 else { return nil }
        let secret = value[cursor...].trimmingBlanks()
        return secret.isEmpty ? nil : secret
    }

    /// A request's secret as looked up: its hash, and whether a minute has passed since its use was last noted.
    private struct PresentedSecret {
        let text: String
        let hash: String
        let useIsDue: Bool
        /// When it was looked up, the time its use is noted at if it is admitted.
        let readAt: UInt64
    }

    private func remember(_ secret: String) -> PresentedSecret {
        let now = Monotonic.nanoseconds()
        let known = secrets.withLock { secrets -> Secret? in secrets[secret] }
        if let known {
            // `now` was read before the lock: another request may have noted a later time meanwhile.
            let due = known.lastNoted.map { now > $0 && now - $0 >= 60_000_000_000 } ?? true
            return PresentedSecret(text: secret, hash: known.hash, useIsDue: due, readAt: now)
        }
        let hash = Tokens.hash(secret)
        secrets.withLock { secrets in
            if secrets.count >= 256 { secrets.removeAll() }
            secrets[secret] = Secret(hash: hash, lastNoted: nil)
        }
        return PresentedSecret(text: secret, hash: hash, useIsDue: true, readAt: now)
    }

    /// Writes the last-use times noted since the previous flush.
    func flush() {
        let times = pending.withLock { p -> [String: String] in
            defer { p.removeAll() }
            return p
        }
        try? store.markTokensUsed(times)
    }
}
