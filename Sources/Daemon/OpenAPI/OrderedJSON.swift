import Model

/// A JSON value whose objects keep their keys in the order they were built, so that a generated
/// document (the OpenAPI description) reads in a deliberate order: ``JSONValue`` objects are
/// unordered dictionaries and would come out sorted.
enum OrderedJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([OrderedJSON])
    /// Members in order; a key appears at most once (see ``OrderedJSON/object(_:)``).
    case object([Member])

    struct Member: Sendable, Equatable {
        let key: String
        let value: OrderedJSON
    }

    /// An object from key–value pairs in order; a later duplicate key replaces the earlier value in place.
    static func object(_ pairs: [(String, OrderedJSON)]) -> OrderedJSON {
        var members: [Member] = []
        for (key, value) in pairs {
            if let i = members.firstIndex(where: { $0.key == key }) {
                members[i] = Member(key: key, value: value)
            } else {
                members.append(Member(key: key, value: value))
            }
        }
        return .object(members)
    }

    /// A JSON value with its object keys sorted (JSON objects carry no order of their own).
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(OrderedJSON.init))
        case .object(let o):
            self = .object(o.keys.sorted().map { Member(key: $0, value: OrderedJSON(o[$0]!)) })
        }
    }

    /// The same value as an unordered ``JSONValue``.
    var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(\.jsonValue))
        case .object(let members):
            return .object(
                Dictionary(members.map { ($0.key, $0.value.jsonValue) }, uniquingKeysWith: { _, last in last }))
        }
    }

    /// The member named `key` of an object; nil for a missing key or a non-object.
    subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The keys of an object, in order; empty for a non-object.
    var keys: [String] {
        guard case .object(let members) = self else { return [] }
        return members.map(\.key)
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var arrayValue: [OrderedJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members of an object, in order; nil for a non-object.
    var members: [Member]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// The object with a member added or replaced (other values unchanged).
    func with(_ key: String, _ value: OrderedJSON) -> OrderedJSON {
        var copy = self
        copy.set(key, value)
        return copy
    }

    /// Adds or replaces a member of an object (no effect on other values).
    mutating func set(_ key: String, _ value: OrderedJSON) {
        guard case .object(var members) = self else { return }
        if let i = members.firstIndex(where: { $0.key == key }) {
            members[i] = Member(key: key, value: value)
        } else {
            members.append(Member(key: key, value: value))
        }
        self = .object(members)
    }
}

extension OrderedJSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(nilLiteral: ()) { self = .null }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(integerLiteral value: Int64) { self = .int(value) }
    init(stringLiteral value: String) { self = .string(value) }
    init(arrayLiteral elements: OrderedJSON...) { self = .array(elements) }

    /// Keys in the order written.
    init(dictionaryLiteral elements: (String, OrderedJSON)...) {
        self = .object(elements.map { ($0.0, $0.1) })
    }
}
