/// Civil-calendar arithmetic for the two date formats the API speaks: `YYYY-MM-DD` and RFC 3339
/// instants. Foundation's formatters are slow and locale-sensitive; these are neither.
public enum CalendarDate {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day number (inverse of ``days(year:month:day:)``).
    public static func civil(days z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses `YYYY-MM-DD` (years 0001–9999) and returns its day number, or nil.
    public static func parseDate(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
            year >= 1, (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        return days(year: year, month: month, day: day)
    }

    public static func formatDate(days: Int) -> String {
        let (y, m, d) = civil(days: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// Instants whose UTC form has a year from 0001 to 9999, so that ``formatDateTime(millis:)`` gives RFC 3339.
    public static let dateTimeRange: ClosedRange<Int64> =
        Int64(days(year: 1, month: 1, day: 1)) * 86_400_000...Int64(days(year: 10_000, month: 1, day: 1)) * 86_400_000
        - 1

    /// Parses an RFC 3339 date-time (`2026-11-26T09:30:00Z`, `…T09:30:00.5+02:00`) into milliseconds
    /// since the epoch, or nil. Fractions beyond milliseconds are truncated. An offset that moves the
    /// instant out of ``dateTimeRange`` (`9999-12-31T23:00:00-05:00`) is refused too.
    public static func parseDateTime(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, let days = parseDate(String(decoding: b[0..<10], as: UTF8.self)),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var millis = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            var scale = 100
            while i < b.count, let d = digit(b[i]) {
                millis += d * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offsetMinutes = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard b.count == i + 6, b[i + 3] == UInt8(ascii: ":"), let oh = digits(b, i + 1, 2),
                let om = digits(b, i + 4, 2), oh < 24, om < 60
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetMinutes * 60
        let instant = Int64(seconds) * 1000 + Int64(millis)
        return dateTimeRange.contains(instant) ? instant : nil
    }

    /// Formats milliseconds since the epoch as RFC 3339 UTC with milliseconds: `2026-11-26T09:30:00.000Z`.
    public static func formatDateTime(millis: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendDateTime(millis: millis, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``formatDateTime(millis:)``'s text as UTF-8, without the intermediate strings: every write renders
    /// two of these into the record's document.
    public static func appendDateTime(millis: Int64, into out: inout [UInt8]) {
        let ms = Int(millis)
        var days = ms / 86_400_000
        var rest = ms % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        let (y, m, d) = civil(days: days)
        if y >= 0 { appendPadded(y, 4, into: &out) } else { out.append(contentsOf: pad(y, 4).utf8) }
        out.append(UInt8(ascii: "-"))
        appendPadded(m, 2, into: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(d, 2, into: &out)
        out.append(UInt8(ascii: "T"))
        appendPadded(rest / 3_600_000, 2, into: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(rest / 60_000 % 60, 2, into: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(rest / 1000 % 60, 2, into: &out)
        out.append(UInt8(ascii: "."))
        appendPadded(rest % 1000, 3, into: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// A non-negative `value` in decimal, left-padded with zeros to at least `width` digits (like ``pad(_:_:)``).
    private static func appendPadded(_ value: Int, _ width: Int, into out: inout [UInt8]) {
        var digits = 1
        var limit = 10
        while value >= limit, digits < 19 {
            digits += 1
            limit &*= 10
        }
        let count = max(width, digits)
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var v = value
        var i = start + count - 1
        while v > 0 {
            out[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
    }

    private static func digit(_ c: UInt8) -> Int? {
        c >= 48 && c <= 57 ? Int(c - 48) : nil
    }

    private static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for i in start..<(start + count) {
            guard let d = digit(b[i]) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
