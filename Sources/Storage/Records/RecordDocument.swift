import Model
import Sync

/// The API representation of a live record, rendered from its merge state.
///
/// Everything in it derives from the record's cells, never from when or where it was received,
/// so replicas holding the same cells render byte-identical documents with the same `version`.
///
/// The body is canonical JSON (keys sorted by their UTF-8 bytes, as ``JSONWriter`` writes them) and `version` is the
/// FNV-1a hash of the canonical body without `version`. It is rendered once: the members are written in their sorted
/// order (``DocumentLayout``), `version`'s place is remembered, the bytes so far are exactly the body without
/// `version`, and after hashing them `"version":"…"` is spliced in at its place. Rendering a dictionary twice, as
/// this did before, cost about 40,000 instructions per write (Benchmarks/PROFILE.md).
struct RecordDocument {
    let body: String
    let version: String
    let createdHLC: HLC
    let updatedHLC: HLC

    init(collection: CollectionSpec, id: String, state: RecordState) {
        let created = state.createdHLC ?? .zero
        let updated = state.updatedHLC ?? created
        let layout = DocumentLayout.of(collection)
        let writer = JSONWriter()
        var out: [UInt8] = []
        out.reserveCapacity(layout.typicalSize)
        out.append(UInt8(ascii: "{"))
        var versionAt = -1
        var written = 0
        for member in layout.members {
            if case .version = member.value {
                versionAt = out.count
                continue
            }
            if written > 0 { out.append(UInt8(ascii: ",")) }
            written += 1
            out.append(contentsOf: member.key)
            switch member.value {
            case .leaf(let name):
                writer.write(state.cells[name]?.value ?? .null, into: &out)
            case .object(let children):
                out.append(UInt8(ascii: "{"))
                for (i, child) in children.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: child.key)
                    writer.write(state.cells[child.leaf]?.value ?? .null, into: &out)
                }
                out.append(UInt8(ascii: "}"))
            case .id:
                JSONWriter.appendEscapedString(id, into: &out)
            case .createdAt:
                Self.appendTimestamp(created, into: &out)
            case .updatedAt:
                Self.appendTimestamp(updated, into: &out)
            case .version:
                break
            }
        }
        out.append(UInt8(ascii: "}"))

        var hash = FNV1a()
        hash.combine(out)
        let version = hash.hex
        // Members precede `version` in every collection (`created_at`, `id`), so it always follows a comma.
        var member: [UInt8] = Array(#","version":""#.utf8)
        member.append(contentsOf: version.utf8)
        member.append(UInt8(ascii: "\""))
        out.insert(contentsOf: member, at: versionAt)

        self.body = String(decoding: out, as: UTF8.self)
        self.version = version
        self.createdHLC = created
        self.updatedHLC = updated
    }

    private static func appendTimestamp(_ hlc: HLC, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        CalendarDate.appendDateTime(millis: Int64(hlc.millis), into: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The leaf values held in a rendered body, by cell name (the inverse of rendering).
    static func leafValues(of body: JSONValue, in collection: CollectionSpec) -> [String: JSONValue] {
        guard let object = body.objectValue else { return [:] }
        var values: [String: JSONValue] = [:]
        for field in collection.fields {
            if case .object = field.type {
                let nested = object[field.name]?.objectValue ?? [:]
                for leaf in field.leaves {
                    values[leaf.name] = nested[String(leaf.name.dropFirst(field.name.count + 1))] ?? .null
                }
            } else {
                values[field.name] = object[field.name] ?? .null
            }
        }
        return values
    }
}

/// The members of a collection's documents in canonical order, with their keys already written out.
struct DocumentLayout: Sendable {
    enum Value: Sendable {
        /// A top-level field, or a leaf of a nested object: the cell of that name.
        case leaf(String)
        /// A nested object: its leaves, in canonical order.
        case object([(key: [UInt8], leaf: String)])
        case id
        case createdAt
        case updatedAt
        case version
    }

    /// `"name":` as bytes, and what follows it.
    let members: [(key: [UInt8], value: Value)]
    /// A first guess at a document's size, to allocate once.
    let typicalSize: Int

    init(_ collection: CollectionSpec) {
        var members: [(name: String, value: Value)] = [
            ("id", .id), ("created_at", .createdAt), ("updated_at", .updatedAt), ("version", .version),
        ]
        for field in collection.fields {
            if case .object = field.type {
                let children = field.leaves.map { leaf in
                    (name: String(leaf.name.dropFirst(field.name.count + 1)), leaf: leaf.name)
                }
                .sorted { utf8Precedes($0.name, $1.name) }
                .map { (key: Self.keyBytes($0.name), leaf: $0.leaf) }
                members.append((field.name, .object(children)))
            } else {
                members.append((field.name, .leaf(field.name)))
            }
        }
        self.members = members.sorted { utf8Precedes($0.name, $1.name) }.map { (Self.keyBytes($0.name), $0.value) }
        self.typicalSize = 256 + 32 * collection.leaves.count
    }

    static func of(_ collection: CollectionSpec) -> DocumentLayout {
        layouts[collection.name] ?? DocumentLayout(collection)
    }

    private static let layouts: [String: DocumentLayout] = Dictionary(
        uniqueKeysWithValues: Catalog.all.map { ($0.name, DocumentLayout($0)) })

    /// `"name":`
    private static func keyBytes(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.appendEscapedString(name, into: &out)
        out.append(UInt8(ascii: ":"))
        return out
    }
}
