import Model
import Testing

/// Valid bodies for any collection, made from its description: every required field gets a value
/// of its type, and references get a record created first. The tests cover every collection alike
/// because the catalog describes them alike.
struct SampleRecords {
    let client: APIClient
    private var counter = 0

    init(client: APIClient) {
        self.client = client
    }

    /// Creates a record of `collection` (and whatever it must point at) and returns it.
    mutating func create(_ collection: CollectionSpec, full: Bool = false) throws -> [String: JSONValue] {
        let body = try self.body(for: collection, full: full)
        return try client.create(collection.name, body)
    }

    /// A valid create body: required fields only, or every field when `full`.
    mutating func body(for collection: CollectionSpec, full: Bool = false) throws -> JSONValue {
        var object: [String: JSONValue] = [:]
        for field in collection.fields where (field.required || full) && !field.readOnly {
            object[field.name] = try value(for: field.type, name: field.name)
        }
        return .object(object)
    }

    /// A valid value of a type; distinct on each call where the type allows.
    mutating func value(for type: FieldType, name: String) throws -> JSONValue {
        counter += 1
        switch type {
        case .line: return .string("\(name) \(counter)")
        case .text: return .string("Some text about \(name), number \(counter).")
        case .integer(let lo, let hi): return .int(min(hi, lo + Int64(counter % 7)))
        case .number(let lo, _): return .double(lo + 1.5)
        case .boolean: return .bool(counter % 2 == 0)
        case .date: return .string("2026-03-0\(counter % 9 + 1)")
        case .dateTime: return .string("2026-03-01T09:\(10 + counter % 50):00.000Z")
        case .enumeration(let values): return .string(values[counter % values.count])
        case .url: return .string("https://example.com/\(counter)")
        case .email: return .string("person\(counter)@example.com")
        case .currency: return "EUR"
        case .tags: return [.string("tag\(counter)"), "shared"]
        case .reference(let target):
            return .string(try create(Catalog.collection(target)!)["id"]!.stringValue!)
        case .references(let target):
            return [.string(try create(Catalog.collection(target)!)["id"]!.stringValue!)]
        case .object(let children):
            var nested: [String: JSONValue] = [:]
            for child in children { nested[child.name] = try value(for: child.type, name: child.name) }
            return .object(nested)
        }
    }
}
