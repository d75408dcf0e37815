// libFuzzer target for the JSON parser (and the writer behind it), built by scripts/fuzz.sh together with the
// sources of the Model module:
//
//     swiftc -sanitize=fuzzer,address -parse-as-library -module-name Model Sources/Model/**/*.swift Fuzz/JSONParserFuzz.swift
//
// For every input: parsing either fails with an offset inside the input or gives a value; a value written back
// and parsed again is the same value, and writing it again gives the same bytes (the canonical form is stable).

@_cdecl("LLVMFuzzerTestOneInput")
public func jsonParserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let value: JSONValue
    do {
        value = try JSONParser.parse(UnsafeRawBufferPointer(bytes))
    } catch {
        precondition(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside \(size) bytes")
        return 0
    }
    precondition(String(validating: bytes, as: UTF8.self) != nil, "accepted input that is not UTF-8")
    let written = JSONWriter().bytes(value)
    let again: JSONValue
    do {
        again = try JSONParser.parse(written)
    } catch {
        preconditionFailure("the writer's output does not parse: \(error)")
    }
    precondition(again == value || value.containsNaN, "round trip changed the value")
    precondition(JSONWriter().bytes(again) == written, "the canonical form is not stable")
    return 0
}

extension JSONValue {
    /// NaN never equals itself (the parser cannot produce one, but say so rather than assume).
    fileprivate var containsNaN: Bool {
        switch self {
        case .double(let d): return d.isNaN
        case .array(let items): return items.contains { $0.containsNaN }
        case .object(let members): return members.values.contains { $0.containsNaN }
        default: return false
        }
    }
}
