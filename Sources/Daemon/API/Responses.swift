import Model
import Storage

/// Building successful responses.
enum Responses {
    static func json(_ value: JSONValue, status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        json(status, bytes: JSONWriter().bytes(value), headers: headers)
    }

    static func json(_ status: Int = 200, bytes: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, bytes: bytes)
    }

    /// A record, with its version as the ETag.
    static func record(_ record: StoredRecord, status: Int = 200, location: String? = nil) -> HTTPResponse {
        var headers: HTTPHeaders = ["ETag": "\"\(record.version)\""]
        if let location { headers.add(name: "Location", value: location) }
        return json(status, bytes: Array(record.body.utf8), headers: headers)
    }

    /// A page of records, assembled from the stored documents without re-encoding them.
    static func page(_ page: ListPage) -> HTTPResponse {
        var out: [UInt8] = []
        out.reserveCapacity(page.items.reduce(64) { $0 + $1.utf8.count + 1 })
        out.append(contentsOf: #"{"items":["#.utf8)
        for (i, item) in page.items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item.utf8)
        }
        out.append(contentsOf: #"],"next_cursor":"#.utf8)
        if let next = page.nextCursor {
            JSONWriter.appendEscapedString(next, into: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(UInt8(ascii: "}"))
        return json(bytes: out)
    }

    static func noContent() -> HTTPResponse { HTTPResponse(status: 204) }

    static func text(_ text: String, contentType: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["Content-Type": contentType], bytes: Array(text.utf8))
    }
}
