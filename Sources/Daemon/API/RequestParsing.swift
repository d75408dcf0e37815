import Foundation
import Model
import Storage

/// Reading what a request says: its JSON body, its preconditions, what it accepts.
extension HTTPRequest {
    /// For endpoints that take no query parameters: a query string is a mistake worth saying (400).
    func refuseQuery() throws(Problem) {
        if !query.isEmpty { throw Problem.noQueryParameters }
    }

    /// The media type of the body, lowercased, without parameters; nil when absent.
    var mediaType: String? {
        guard let value = headers["Content-Type"] else { return nil }
        // Cut at the first ";" by bytes: splitting by Character costs grapheme breaking on every write.
        let type = value.utf8.firstIndex(of: UInt8(ascii: ";")).map { value[..<$0] } ?? value[...]
        return type.trimmingBlanks().lowercased()
    }

    /// The body as JSON, after checking its media type is one of `accepted` (415 otherwise) and that
    /// it parses (400 otherwise).
    func jsonBody(accepting accepted: [String] = ["application/json"]) throws(Problem) -> JSONValue {
        guard let type = mediaType else {
            throw .unsupportedMediaType("send the body with Content-Type: \(accepted.joined(separator: " or "))")
        }
        guard accepted.contains(type) else {
            throw .unsupportedMediaType(
                "Content-Type \(type) is not accepted here; use \(accepted.joined(separator: " or "))")
        }
        if let value = headers["Content-Type"], value.utf8.contains(UInt8(ascii: ";")),
            let charset = Self.parameter("charset", in: value),
            charset.lowercased() != "utf-8"
        {
            throw .unsupportedMediaType("only UTF-8 bodies are accepted, not charset=\(charset)")
        }
        guard !body.isEmpty else { throw .malformedJSON("the request body is empty; send a JSON object") }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw .malformedJSON("the body is not valid JSON: \(error.message)")
        }
    }

    /// `If-Match` as a precondition (RFC 9110 §13.1.1: strong comparison, so weak tags never match).
    var ifMatch: Precondition {
        guard let value = headers["If-Match"] else { return .none }
        let tags = Self.entityTags(value)
        if tags.contains("*") { return .exists }
        return .version(in: tags.filter { !$0.hasPrefix("W/") })
    }

    /// Whether `If-None-Match` names `version` (weak comparison, RFC 9110 §13.1.2).
    func ifNoneMatch(_ version: String) -> Bool {
        guard let value = headers["If-None-Match"] else { return false }
        return Self.entityTags(value).contains { $0 == "*" || $0 == version || $0 == "W/\(version)" }
    }

    /// Whether the client asked for Markdown rather than JSON.
    var prefersMarkdown: Bool {
        guard let accept = headers["Accept"]?.lowercased() else { return false }
        return accept.contains("text/markdown")
            && !(accept.contains("application/json")
                && accept.firstRange(of: "application/json")!.lowerBound
                    < accept.firstRange(of: "text/markdown")!.lowerBound)
    }

    /// Entity tags with their quotes removed (`W/` kept for weak ones); unquoted values are taken as is.
    private static func entityTags(_ header: String) -> [String] {
        header.split(separator: ",").map { raw in
            var tag = raw.trimmingCharacters(in: .whitespaces)
            var weak = false
            if tag.hasPrefix("W/") {
                weak = true
                tag.removeFirst(2)
            }
            if tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") { tag = String(tag.dropFirst().dropLast()) }
            return weak ? "W/" + tag : tag
        }
    }

    private static func parameter(_ name: String, in value: String) -> String? {
        for part in value.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name {
                return pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                    in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
