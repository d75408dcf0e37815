/// Cross-origin access: off unless origins are configured (`--cors-origin`).
struct CORS: Sendable {
    let origins: Set<String>

    static let allowedMethods = "GET, POST, PATCH, DELETE, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, Last-Event-ID"
    static let exposedHeaders = "ETag, Location, Idempotent-Replayed"

    func allows(_ origin: String?) -> Bool {
        guard let origin else { return false }
        return origins.contains(origin) || origins.contains("*")
    }

    /// Adds the CORS headers to a response for an allowed origin.
    func decorate(_ response: inout HTTPResponse, for request: HTTPRequest) {
        guard !origins.isEmpty, let origin = request.headers["Origin"], allows(origin) else { return }
        response.headers.add(name: "Access-Control-Allow-Origin", value: origin)
        response.headers.add(name: "Access-Control-Expose-Headers", value: Self.exposedHeaders)
        response.headers.add(name: "Vary", value: "Origin")
    }

    /// The answer to a preflight `OPTIONS` request.
    func preflight(_ request: HTTPRequest) -> HTTPResponse {
        guard allows(request.headers["Origin"]) else {
            return Problem.forbidden("cross-origin requests from this origin are not allowed; see --cors-origin")
                .response
        }
        return HTTPResponse(
            status: 204,
            headers: [
                "Access-Control-Allow-Methods": Self.allowedMethods,
                "Access-Control-Allow-Headers": Self.allowedHeaders,
                "Access-Control-Max-Age": "600",
            ])
    }
}
