import Foundation
import GRDB
import Model

/// A page request over one collection: equality filters, a sort and a keyset cursor.
public struct ListQuery: Sendable, Equatable {
    public var limit: Int = 50
    /// A sortable field, `id`, `created_at` or `updated_at`; descending when `descending`.
    public var sortField: String = "created_at"
    public var descending = false
    /// Field name → the value it must equal (already typed by ``ListQuery/parse``).
    public var filters: [String: JSONValue] = [:]
    public var cursor: ListCursor?

    public init() {}

    public static let limits = 1...500

    /// Builds a query from URL query items, or every reason it is refused (400).
    public static func parse(
        _ items: [(name: String, value: String)], collection: CollectionSpec
    ) -> Result<ListQuery, ValidationFailure> {
        var query = ListQuery()
        var errors: [FieldError] = []
        var cursorText: String?
        var seen = Set<String>()
        for (name, value) in items {
            guard seen.insert(name).inserted else {
                errors.append(FieldError(name, "is given more than once"))
                continue
            }
            switch name {
            case "limit":
                if let n = Int(value), limits.contains(n) {
                    query.limit = n
                } else {
                    errors.append(FieldError("limit", "must be an integer from 1 to 500"))
                }
            case "cursor":
                cursorText = value
            case "sort":
                let descending = value.hasPrefix("-")
                let field = descending ? String(value.dropFirst()) : value
                if ["id", "created_at", "updated_at"].contains(field)
                    || collection.sortableFields.contains(where: { $0.name == field })
                {
                    query.sortField = field
                    query.descending = descending
                } else {
                    let allowed = ["id", "created_at", "updated_at"] + collection.sortableFields.map(\.name)
                    errors.append(FieldError("sort", "must be one of \(allowed.joined(separator: ", ")), with - for descending"))
                }
            default:
                guard let field = collection.field(name), field.type.isFilterable else {
                    let allowed = collection.filterableFields.map(\.name).joined(separator: ", ")
                    errors.append(FieldError(name, "is not a query parameter here; filters: \(allowed)"))
                    continue
                }
                switch filterValue(value, for: field.type) {
                case .valid(let typed): query.filters[name] = typed
                case .invalid(let why): errors.append(FieldError(name, why))
                }
            }
        }
        if let cursorText {
            if let cursor = ListCursor(encoded: cursorText), cursor.sort == query.sortKey {
                query.cursor = cursor
            } else {
                errors.append(FieldError("cursor", "is not a cursor this list gave for this sort"))
            }
        }
        return errors.isEmpty ? .success(query) : .failure(ValidationFailure(errors))
    }

    /// The sort as written in a cursor: `rank` or `-rank`.
    var sortKey: String { (descending ? "-" : "") + sortField }

    private static func filterValue(_ text: String, for type: FieldType) -> FieldCheck {
        switch type {
        case .integer, .number:
            // JSON's number grammar, not Double(String)'s, which also takes "0x10", "nan" and "inf".
            switch try? JSONParser.parse(text) {
            case .some(let number) where number.typeName == "a number": return type.validate(number)
            default: return .invalid("must be a number")
            }
        case .boolean:
            switch text {
            case "true": return .valid(.bool(true))
            case "false": return .valid(.bool(false))
            default: return .invalid("must be true or false")
            }
        default:
            return type.validate(.string(text))
        }
    }
}

/// Where a page ended: the sort, the last item's sort value and id. Opaque to clients (base64url JSON).
public struct ListCursor: Sendable, Equatable {
    public let sort: String
    public let value: JSONValue
    public let id: String

    public init(sort: String, value: JSONValue, id: String) {
        self.sort = sort
        self.value = value
        self.id = id
    }

    public init?(encoded: String) {
        guard encoded.utf8.count <= 4096, let data = Base64URL.decode(encoded),
            let json = try? JSONParser.parse(data), let object = json.objectValue,
            let sort = object["s"]?.stringValue, let id = object["i"]?.stringValue, let value = object["v"]
        else { return nil }
        switch value {
        case .int, .double, .string, .bool, .null: break
        default: return nil
        }
        self.init(sort: sort, value: value, id: id)
    }

    public var encoded: String {
        Base64URL.encode(JSONWriter().bytes(.object(["s": .string(sort), "v": value, "i": .string(id)])))
    }
}

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5).
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }
}
