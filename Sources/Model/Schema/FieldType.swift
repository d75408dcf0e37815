/// What a field holds. Validation, storage, filters and search all follow from it.
public enum FieldType: Sendable, Equatable {
    /// One line of text, at most `maxLength` characters.
    case line(maxLength: Int)
    /// Free text, at most `maxLength` characters.
    case text(maxLength: Int)
    case integer(min: Int64, max: Int64)
    /// A number, with a fraction allowed.
    case number(min: Double, max: Double)
    case boolean
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// An instant, RFC 3339; stored normalized to UTC.
    case dateTime
    case enumeration([String])
    /// An http or https URL.
    case url
    case email
    /// An ISO 4217 currency code: three capital letters.
    case currency
    /// The id of a live record in the named collection.
    case reference(String)
    /// A list of ids of live records in the named collection.
    case references(String)
    /// A list of short labels.
    case tags
    /// A nested object whose leaves are fields of their own (each leaf merges as its own cell).
    case object([FieldSpec])
}

extension FieldType {
    /// The collection a reference field points at.
    public var referencedCollection: String? {
        switch self {
        case .reference(let c), .references(let c): return c
        default: return nil
        }
    }

    /// Whether the field's words go into the full-text index.
    public var isTextual: Bool {
        switch self {
        case .line, .text, .tags: return true
        default: return false
        }
    }

    /// Whether a list query may filter on it by equality.
    public var isFilterable: Bool {
        switch self {
        case .line, .integer, .number, .boolean, .date, .enumeration, .url, .email, .currency, .reference:
            return true
        case .text, .dateTime, .references, .tags, .object:
            return false
        }
    }

    /// Whether a list query may sort on it.
    public var isSortable: Bool {
        switch self {
        case .line, .integer, .number, .boolean, .date, .dateTime, .enumeration, .currency: return true
        default: return false
        }
    }
}
