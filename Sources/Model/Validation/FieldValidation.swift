/// The outcome of checking one value against its field's type.
public enum FieldCheck: Sendable, Equatable {
    /// The value in its stored form.
    case valid(JSONValue)
    /// Why it was refused, as a phrase that follows the field name ("must be …").
    case invalid(String)
}

extension FieldType {
    /// Checks a non-null value against this type and returns it in its stored form (date-times in
    /// UTC, integral numbers as `.int`), or the reason it is refused.
    public func validate(_ value: JSONValue) -> FieldCheck {
        switch self {
        case .line(let maxLength):
            return Self.text(value, maxLength: maxLength, singleLine: true)
        case .text(let maxLength):
            return Self.text(value, maxLength: maxLength, singleLine: false)
        case .integer(let lo, let hi):
            guard let i = value.integerValue else {
                return .invalid("must be an integer, got \(value.typeName)")
            }
            guard i >= lo, i <= hi else { return .invalid("must be between \(lo) and \(hi)") }
            return .valid(.int(i))
        case .number(let lo, let hi):
            let d: Double
            switch value {
            case .int(let i): d = Double(i)
            case .double(let x): d = x
            default: return .invalid("must be a number, got \(value.typeName)")
            }
            guard d.isFinite, d >= lo, d <= hi else { return .invalid("must be between \(lo) and \(hi)") }
            return .valid(value)
        case .boolean:
            guard case .bool = value else { return .invalid("must be true or false, got \(value.typeName)") }
            return .valid(value)
        case .date:
            guard let s = value.stringValue else { return .invalid("must be a date string, got \(value.typeName)") }
            guard CalendarDate.parseDate(s) != nil else { return .invalid("must be a date as YYYY-MM-DD") }
            return .valid(value)
        case .dateTime:
            guard let s = value.stringValue else {
                return .invalid("must be a date-time string, got \(value.typeName)")
            }
            guard let ms = CalendarDate.parseDateTime(s) else {
                return .invalid("must be an RFC 3339 date-time such as 2026-03-01T09:30:00Z")
            }
            return .valid(.string(CalendarDate.formatDateTime(millis: ms)))
        case .enumeration(let allowed):
            guard let s = value.stringValue, allowed.contains(s) else {
                return .invalid("must be one of: " + allowed.joined(separator: ", "))
            }
            return .valid(value)
        case .url:
            guard let s = value.stringValue else { return .invalid("must be a URL string, got \(value.typeName)") }
            let lower = s.lowercased()
            guard s.utf8.count <= 2048, lower.hasPrefix("http://") || lower.hasPrefix("https://"),
                s.utf8.count > 8, !s.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F })
            else { return .invalid("must be an http or https URL without spaces, at most 2048 characters") }
            return .valid(value)
        case .email:
            guard let s = value.stringValue else {
                return .invalid("must be an email address string, got \(value.typeName)")
            }
            let parts = s.split(separator: "@", omittingEmptySubsequences: false)
            guard s.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
                !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
                !s.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F })
            else { return .invalid("must be an email address such as name@example.com") }
            return .valid(value)
        case .currency:
            guard let s = value.stringValue, s.utf8.count == 3, s.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                return .invalid("must be a three-letter ISO 4217 code such as EUR")
            }
            return .valid(value)
        case .reference:
            guard let s = value.stringValue else { return .invalid("must be a record id string, got \(value.typeName)") }
            guard RecordID.isValid(s) else { return .invalid("is not a valid record id") }
            return .valid(value)
        case .references:
            guard let items = value.arrayValue else {
                return .invalid("must be an array of record ids, got \(value.typeName)")
            }
            guard items.count <= 100 else { return .invalid("must hold at most 100 ids") }
            var seen = Set<String>()
            for (i, item) in items.enumerated() {
                guard let s = item.stringValue, RecordID.isValid(s) else {
                    return .invalid("item \(i) is not a valid record id")
                }
                guard seen.insert(s).inserted else { return .invalid("lists \(s) twice") }
            }
            return .valid(value)
        case .tags:
            guard let items = value.arrayValue else {
                return .invalid("must be an array of strings, got \(value.typeName)")
            }
            guard items.count <= 50 else { return .invalid("must hold at most 50 tags") }
            for (i, item) in items.enumerated() {
                guard let s = item.stringValue else { return .invalid("item \(i) must be a string") }
                if case .invalid(let why) = Self.text(.string(s), maxLength: 100, singleLine: true) {
                    return .invalid("item \(i) \(why)")
                }
                guard !s.isEmpty else { return .invalid("item \(i) must not be empty") }
            }
            return .valid(value)
        case .object:
            return .invalid("must be an object, got \(value.typeName)")
        }
    }

    private static func text(_ value: JSONValue, maxLength: Int, singleLine: Bool) -> FieldCheck {
        guard let s = value.stringValue else { return .invalid("must be a string, got \(value.typeName)") }
        // By UTF-8 bytes: control characters are single bytes, and each character starts with a byte that is not a
        // continuation byte (10xxxxxx).
        var text = s
        let (count, refusal) = text.withUTF8 { bytes -> (Int, String?) in
            var count = 0
            for byte in bytes {
                if byte & 0xC0 != 0x80 { count += 1 }
                if byte == 0 { return (count, "must not contain NUL characters") }
                if singleLine, byte < 0x20 || byte == 0x7F {
                    return (count, "must be a single line without control characters")
                }
            }
            return (count, nil)
        }
        if let refusal { return .invalid(refusal) }
        guard count <= maxLength else { return .invalid("must be at most \(maxLength) characters") }
        return .valid(value)
    }
}
