import Foundation
import Model
import Testing

@testable import Daemon

@Suite struct OpenAPITests {
    static let document = OpenAPIDocumentBuilder().build()
    static let yaml = OpenAPIDocumentBuilder.yaml()

    /// The repository's `openapi.yaml`.
    static let committedPath = RepositoryFiles.url("openapi.yaml").path

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

    /// One route of every kind the router dispatches, collections expanded. The switch below stops
    /// compiling when a kind of route is added, until it is listed here too.
    static var everyRoute: [Route] {
        var routes: [Route] = [
            .health, .openAPI, .metrics, .profile, .batch, .syncChanges, .syncStatus, .events, .readiness,
            .briefing(id: "an-id"), .search, .export, .import, .history(Catalog.profile.name, id: Catalog.profileID),
        ]
        for collection in Catalog.all where !collection.isSingleton {
            routes += [
                .collection(collection.name), .record(collection.name, id: "an-id"),
                .history(collection.name, id: "an-id"),
            ]
        }
        for route in routes {
            switch route {
            case .health, .openAPI, .metrics, .profile, .batch, .syncChanges, .syncStatus, .events, .history,
                .collection, .record, .readiness, .briefing, .search, .export, .import, .notFound:
                break
            }
        }
        return routes
    }

    /// The reverse: every route the router dispatches is documented under its template.
    @Test func everyRouteIsDocumented() {
        let documented = Set(Self.document["paths"]?.keys ?? [])
        for route in Self.everyRoute {
            #expect(documented.contains(route.label), "\(route.label) is served but not in openapi.yaml")
        }
        #expect(documented.count == Self.everyRoute.count)
    }

    /// Every path takes exactly the methods documented for it: a method it does not take gets 405
    /// with an `Allow` that lists the documented ones (and nothing else).
    @Test func everyPathTakesTheDocumentedMethods() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        for path in Self.document["paths"]?.keys ?? [] {
            let item = try #require(Self.document["paths"]?[path])
            let documented = Set(item.keys.filter { $0 != "parameters" }.map { $0.uppercased() })
            let response = try client.request("PUT", path.replacingOccurrences(of: "{id}", with: "an-id"))
            #expect(response.status == 405, "PUT \(path)")
            let allowed = Set(
                (response.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(allowed == documented, "\(path): serves \(allowed.sorted()), documents \(documented.sorted())")
        }
    }

    /// The change cell schemas list every leaf of each collection, and nothing else.
    @Test func changeCellsDocumentEveryLeaf() throws {
        let schemas = try #require(Self.document["components"]?["schemas"])
        let variants = schemas["Change"]?["oneOf"]?.arrayValue?.compactMap { $0["$ref"]?.stringValue } ?? []
        #expect(
            variants == ["#/components/schemas/ExistenceChange"]
                + Catalog.all.map { "#/components/schemas/\($0.schemaName)Change" })
        for collection in Catalog.all {
            let cell = try #require(schemas[collection.schemaName + "Change"], "\(collection.name)")
            let fields = cell["properties"]?["field"]?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(fields == collection.leaves.map(\.name), "\(collection.name)")
            let titles = cell["oneOf"]?.arrayValue?.compactMap { $0["title"]?.stringValue } ?? []
            #expect(titles == fields, "\(collection.name)")
        }
        let collections = schemas["Change"]?["properties"]?["collection"]?["enum"]?.arrayValue ?? []
        #expect(collections.compactMap(\.stringValue) == Catalog.all.map(\.name))
    }

    /// The sync examples are what a real daemon accepts and serves: the push example applies, its
    /// repeat is ignored, and the feed serves pages and cells with the documented members.
    @Test func theSyncExamplesWorkAgainstADaemon() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let examples = try #require(Self.document["components"]?["examples"])
        let push = try #require(examples["PushRequest"]?["value"]).jsonValue
        let first = try client.post("/v1/sync/changes", push)
        #expect(first.status == 200, "\(first.text)")
        #expect(try first.json() == examples["PushResult"]?["value"]?.jsonValue)
        #expect(try client.post("/v1/sync/changes", push).json() == examples["PushResultAgain"]?["value"]?.jsonValue)
        let answer = try client.get("/v1/answers/intro").object()
        #expect(answer["body"] == "I build payment systems that nobody has to think about.")

        let query = "protocol=1&schema=\(Catalog.fingerprint)"
        let page = try client.get("/v1/sync/changes?since=0&limit=5&\(query)").object()
        let pageSchema = try #require(Self.document["components"]?["schemas"]?["ChangePage"])
        #expect(Set(page.keys) == Set(pageSchema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        #expect(page["has_more"] == true)
        let cell = try #require(page["changes"]?.arrayValue?.first?.objectValue)
        #expect(Set(cell.keys) == ["collection", "id", "field", "value", "cl", "hlc", "node"])
        // The phone's own cells are left out of its pulls.
        let phone = push.objectValue!["node_id"]!.stringValue!
        let since = try client.get("/v1/sync/changes?since=0&limit=10000&\(query)").object()["cursor"]!.stringValue!
        let mine = try client.get("/v1/sync/changes?node_id=\(phone)&\(query)").object()
        #expect(mine["changes"] == [])
        #expect(mine["cursor"]?.stringValue == since)

        let status = try client.get("/v1/sync/status").object()
        let statusSchema = try #require(Self.document["components"]?["schemas"]?["SyncStatus"])
        #expect(Set(status.keys) == Set(statusSchema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        let history = try client.get("/v1/answers/intro/history").object()
        #expect(history["entries"]?.arrayValue?.first?.objectValue?["reason"] == "overwritten")
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
