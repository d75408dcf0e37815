import Model
import Storage
import Sync

/// The views a job seeker reads: readiness, briefing, search, export; and import.
extension API {
    static let markdownType = "text/markdown; charset=utf-8"
    static let searchLimits = 1...100
    static let maxSearchLength = 1000

    // MARK: GET /v1/readiness

    func readiness(_ exchange: Exchange) {
        guard check(exchange, ["GET"]) else { return }
        let request = exchange.request
        let clock = ViewClock(millis: configuration.clock())
        exchange.answer {
            _ = try authenticator.authorize(request, .read)
            let data = try store.read { session in
                try request.refuseQuery()
                return try ViewData.load(session)
            }
            return Responses.json(Readiness.evaluate(data, clock: clock).json)
        }
    }

    // MARK: GET /v1/opportunities/{id}/briefing

    func briefing(_ exchange: Exchange, opportunityID: String) {
        guard check(exchange, ["GET"]) else { return }
        let request = exchange.request
        exchange.answer {
            _ = try authenticator.authorize(request, .read)
            let briefing = try store.read { session in
                try request.refuseQuery()
                return try Briefing.build(session, opportunityID: opportunityID)
            }
            guard let briefing else {
                throw StorageError.notFound(collection: Catalog.opportunities.name, id: opportunityID)
            }
            return request.prefersMarkdown ? Self.markdown(briefing.markdown) : Self.negotiated(briefing.json)
        }
    }

    // MARK: GET /v1/search

    func search(_ exchange: Exchange) {
        guard check(exchange, ["GET"]) else { return }
        let request = exchange.request
        exchange.answer {
            _ = try authenticator.authorize(request, .read)
            let query = try SearchRequest.parse(request.query).mapError(Problem.invalidQuery).get()
            let page = try store.search(query.text, limit: query.limit, offset: query.offset)
            let next = page.hasMore ? JSONValue.string(query.cursor(after: page.hits.count)) : .null
            return Responses.json([
                "items": .array(
                    page.hits.map { hit in
                        [
                            "collection": .string(hit.collection), "id": .string(hit.id), "field": .string(hit.field),
                            "snippet": .string(SearchRequest.htmlSnippet(hit.snippet)),
                        ]
                    }),
                "next_cursor": next,
            ])
        }
    }

    // MARK: GET /v1/export

    func export(_ exchange: Exchange) {
        guard check(exchange, ["GET"]) else { return }
        let request = exchange.request
        exchange.answer {
            let markdown = request.prefersMarkdown
            _ = try authenticator.authorize(request, .read)
            let body = try store.read { session -> [UInt8] in
                try request.refuseQuery()
                return markdown ? Array(try PrepSheet(session).markdown.utf8) : try Export.canonicalJSON(session)
            }
            var headers: HTTPHeaders = ["Vary": "Accept"]
            headers.add(name: "Content-Type", value: markdown ? Self.markdownType : "application/json")
            return HTTPResponse(status: 200, headers: headers, bytes: body)
        }
    }

    // MARK: POST /v1/import

    func importExport(_ exchange: Exchange) {
        guard check(exchange, ["POST"]) else { return }
        let request = exchange.request
        let file: ImportFile
        do {
            _ = try authenticator.authorize(request, .write)
            try request.refuseQuery()
            file = try ImportFile.validate(try request.jsonBody(), nowMillis: Int64(HybridClock.wallMillis()))
        } catch {
            return exchange.fail(error)
        }
        store.submit({ session in try file.apply(session) }) { result in
            exchange.respond(result.map { Responses.json($0.json) })
        }
    }

    // MARK: Helpers

    private static func markdown(_ text: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["Content-Type": markdownType, "Vary": "Accept"], bytes: Array(text.utf8))
    }

    private static func negotiated(_ json: JSONValue) -> HTTPResponse {
        Responses.json(json, headers: ["Vary": "Accept"])
    }
}

/// `GET /v1/search?q=&limit=&cursor=`, parsed.
struct SearchRequest: Equatable {
    var text = ""
    var limit = 20
    var offset = 0

    static func parse(_ items: [QueryItem]) -> Result<SearchRequest, ValidationFailure> {
        var request = SearchRequest()
        var errors: [FieldError] = []
        var seen = Set<String>()
        var cursor: String?
        var hasText = false
        for item in items {
            guard seen.insert(item.name).inserted else {
                errors.append(FieldError(item.name, "is given more than once"))
                continue
            }
            switch item.name {
            case "q":
                hasText = true
                request.text = item.value
            case "limit":
                if let n = Int(item.value), API.searchLimits.contains(n) {
                    request.limit = n
                } else {
                    errors.append(FieldError("limit", "must be an integer from 1 to 100"))
                }
            case "cursor": cursor = item.value
            default: errors.append(FieldError(item.name, "is not a query parameter here (q, limit, cursor)"))
            }
        }
        if !hasText || request.text.allSatisfy(\.isWhitespace) {
            errors.append(FieldError("q", "is required: the words to search for"))
        } else if request.text.count > API.maxSearchLength {
            errors.append(FieldError("q", "must be at most \(API.maxSearchLength) characters"))
        }
        if let cursor {
            if let offset = decodeCursor(cursor, text: request.text) {
                request.offset = offset
            } else {
                errors.append(FieldError("cursor", "is not a cursor this search gave for this q"))
            }
        }
        return errors.isEmpty ? .success(request) : .failure(ValidationFailure(errors))
    }

    /// The cursor of the page after `count` more hits: the offset and a hash of the query, opaque.
    func cursor(after count: Int) -> String {
        Base64URL.encode(
            JSONWriter().bytes(["o": .int(Int64(offset + count)), "q": .string(Self.fingerprint(text))]))
    }

    private static func decodeCursor(_ cursor: String, text: String) -> Int? {
        guard cursor.utf8.count <= 256, let bytes = Base64URL.decode(cursor), let json = try? JSONParser.parse(bytes),
            let offset = json.objectValue?["o"]?.integerValue, offset >= 0, offset <= 1_000_000,
            json.objectValue?["q"]?.stringValue == fingerprint(text)
        else { return nil }
        return Int(offset)
    }

    private static func fingerprint(_ text: String) -> String {
        var hash = FNV1a()
        hash.combine(text)
        return String(hash.hex.prefix(8))
    }

    /// The snippet as a safe HTML fragment: text escaped, matches in `<mark>`.
    static func htmlSnippet(_ snippet: String) -> String {
        var out = ""
        out.reserveCapacity(snippet.utf8.count + 16)
        for scalar in snippet.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\u{E000}": out += "<mark>"
            case "\u{E001}": out += "</mark>"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
