import GRDB
import Model

/// One page of a collection: the records' JSON documents and the cursor of the next page.
public struct ListPage: Sendable {
    public let items: [String]
    public let nextCursor: String?
}

extension Queries {
    static func list(_ db: Database, collection: CollectionSpec, query: ListQuery) throws -> ListPage {
        let sortExpression: String
        switch query.sortField {
        case "created_at": sortExpression = "created_hlc"
        case "updated_at": sortExpression = "updated_hlc"
        case "id": sortExpression = "id"
        default:
            // Nulls sort first: coalesce them to the smallest value of the field's kind, so that
            // (sort value, id) is a total order the cursor can resume from.
            let floor: String
            switch collection.field(query.sortField)?.type {
            case .integer?, .number?, .boolean?: floor = "-9223372036854775808"
            default: floor = "''"
            }
            sortExpression = "coalesce(json_extract(body, '$.\(query.sortField)'), \(floor))"
        }
        var sql = "SELECT id, body, \(sortExpression) FROM records WHERE collection = '\(collection.name)' AND body IS NOT NULL"
        var arguments = StatementArguments()
        for name in query.filters.keys.sorted() {
            sql += " AND json_extract(body, '$.\(name)') = ?"
            arguments += [databaseValue(query.filters[name]!)]
        }
        let comparison = query.descending ? "<" : ">"
        let direction = query.descending ? "DESC" : "ASC"
        if let cursor = query.cursor {
            if query.sortField == "id" {
                sql += " AND id \(comparison) ?"
                arguments += [cursor.id]
            } else {
                sql += " AND (\(sortExpression), id) \(comparison) (?, ?)"
                arguments += [databaseValue(cursor.value), cursor.id]
            }
        }
        sql += query.sortField == "id" ? " ORDER BY id \(direction)" : " ORDER BY 3 \(direction), id \(direction)"
        sql += " LIMIT \(query.limit + 1)"

        let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
        let pageRows = rows.prefix(query.limit)
        var next: String?
        if rows.count > query.limit, let last = pageRows.last {
            next = ListCursor(sort: query.sortKey, value: jsonValue(last[2] as DatabaseValue), id: last[0]).encoded
        }
        return ListPage(items: pageRows.map { $0[1] }, nextCursor: next)
    }

    static func databaseValue(_ value: JSONValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .bool(let b): return (b ? 1 : 0).databaseValue
        case .int(let i): return i.databaseValue
        case .double(let d): return d.databaseValue
        case .string(let s): return s.databaseValue
        case .array, .object: return JSONWriter().string(value).databaseValue
        }
    }

    static func jsonValue(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .null: return .null
        case .int64(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .blob: return .null
        }
    }
}
