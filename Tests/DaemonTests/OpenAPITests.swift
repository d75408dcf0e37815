import Foundation
import Model
import Testing

@testable import Daemon

@Suite struct OpenAPITests {
    static let document = OpenAPIDocumentBuilder().build()
    static let yaml = OpenAPIDocumentBuilder.yaml()

    /// The repository's `openapi.yaml`.
    static let committedPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi.yaml").path

    @Test func theCommittedDocumentIsTheGeneratedOne() throws {
        let committed = try String(contentsOfFile: Self.committedPath, encoding: .utf8)
        let same = committed == Self.yaml
        let committedLines = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let generatedLines = Self.yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDifference =
            zip(committedLines, generatedLines).enumerated().first { $0.element.0 != $0.element.1 }.map(\.offset)
            .map {
                "line \($0 + 1): committed \(committedLines[$0].debugDescription), generated \(generatedLines[$0].debugDescription)"
            }
            ?? "lengths differ (\(committedLines.count) vs \(generatedLines.count) lines)"
        #expect(
            same,
            """
            openapi.yaml differs from the document generated from the catalog (\(firstDifference)). \
            Regenerate it: swift build && .build/debug/jobprepd openapi > openapi.yaml
            """)
    }

    @Test func theDaemonServesTheGeneratedDocument() {
        let same = OpenAPIDocument.bytes == Array(Self.yaml.utf8)
        #expect(same)
    }

    @Test func everyCollectionHasItsPathsAndSchemas() throws {
        let paths = try #require(Self.document["paths"])
        let schemas = try #require(Self.document["components"]?["schemas"])
        for collection in Catalog.all {
            let name = collection.schemaName
            let record = try #require(schemas[name], "\(name)")
            let served = Set(collection.fields.map(\.name) + ["id", "created_at", "updated_at", "version"])
            #expect(Set(record["properties"]?.keys ?? []) == served, "\(name)")
            #expect(Set(record["required"]?.arrayValue?.compactMap(\.stringValue) ?? []) == served, "\(name)")
            #expect(record["additionalProperties"] == false, "\(name)")
            #expect(schemas[name + "Patch"]?["additionalProperties"] == false, "\(name)Patch")
            if collection.isSingleton {
                #expect(paths["/v1/\(collection.name)"]?.keys == ["get", "patch"])
                #expect(schemas[name + "Create"] == nil)
                continue
            }
            let create = try #require(schemas[name + "Create"], "\(name)Create")
            #expect(create["additionalProperties"] == false)
            let writable = collection.fields.filter { !$0.readOnly }.map(\.name)
            #expect(create["properties"]?.keys == ["id"] + writable, "\(name)Create")
            #expect(
                create["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    == collection.fields.filter(\.required).map(\.name), "\(name)Create")
            #expect(schemas[name + "List"] != nil, "\(name)List")
            #expect(paths["/v1/\(collection.name)"]?.keys == ["get", "post"])
            #expect(paths["/v1/\(collection.name)/{id}"]?.keys == ["parameters", "get", "patch", "delete"])
        }
    }

    /// Every documented path is one the router dispatches, under the same template.
    @Test func everyDocumentedPathIsARoute() {
        for path in Self.document["paths"]?.keys ?? [] {
            let concrete = path.replacingOccurrences(of: "{id}", with: "an-id")
            #expect(Route(path: concrete).label == path, "\(path)")
        }
    }

    @Test func listsDocumentEveryFilterAndSort() throws {
        for collection in Catalog.all where !collection.isSingleton {
            let list = try #require(Self.document["paths"]?["/v1/\(collection.name)"]?["get"])
            let parameters = list["parameters"]?.arrayValue ?? []
            let names = parameters.compactMap { $0["name"]?.stringValue }
            #expect(names == ["sort"] + collection.filterableFields.map(\.name), "\(collection.name)")
            let sort = parameters.first { $0["name"] == "sort" }?["schema"]?["enum"]?.arrayValue ?? []
            for field in ["id", "created_at", "updated_at"] + collection.sortableFields.map(\.name) {
                #expect(
                    sort.contains(.string(field)) && sort.contains(.string("-" + field)), "\(collection.name) \(field)")
            }
        }
    }

    @Test func operationsHaveUniqueIdsAndProblemResponses() {
        var ids: [String] = []
        for path in Self.document["paths"]?.keys ?? [] {
            let item = Self.document["paths"]![path]!
            for method in item.keys where method != "parameters" {
                let operation = item[method]!
                ids.append(operation["operationId"]?.stringValue ?? "")
                let responses = operation["responses"]?.keys ?? []
                #expect(responses.contains("500") && responses.contains("503"), "\(method) \(path)")
                #expect(path.hasPrefix("/v1/") == responses.contains("401"), "\(method) \(path)")
                for status in responses where Int(status)! >= 400 {
                    let ref = operation["responses"]?[status]?["$ref"]?.stringValue ?? ""
                    #expect(ref.hasPrefix("#/components/responses/"), "\(method) \(path) \(status)")
                }
            }
        }
        #expect(Set(ids).count == ids.count)
        #expect(!ids.contains(""))
    }

    @Test func recordExamplesHaveEveryField() throws {
        for (example, collection) in [("Value", Catalog.values), ("Opportunity", Catalog.opportunities)] {
            let value = try #require(Self.document["components"]?["examples"]?[example]?["value"])
            let schema = try #require(Self.document["components"]?["schemas"]?[collection.schemaName])
            #expect(Set(value.keys) == Set(schema["properties"]?.keys ?? []), "\(example)")
        }
        let problem = try #require(Self.document["components"]?["examples"]?["ValidationProblem"]?["value"])
        #expect(problem["status"] == 422)
        #expect((problem["errors"]?.arrayValue?.count ?? 0) > 1)
    }
}
