import Foundation
import Model
import Testing

@Suite struct WriteSemanticsTests {
    @Test func anIdempotencyKeyMakesARetryReturnTheFirstResult() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let key = [("Idempotency-Key", "retry-123")]
        let first = try client.post("/v1/companies", ["name": "Acme"], headers: key)
        let second = try client.post("/v1/companies", ["name": "Acme"], headers: key)
        #expect(first.status == 201 && second.status == 201)
        #expect(first.body == second.body)
        #expect(first.header("Location") == second.header("Location"))
        #expect(second.header("Idempotent-Replayed") == "true")
        #expect(try client.all("companies").count == 1)
        try client.post("/v1/companies", ["name": "Other"], headers: key).problem(422)
        #expect(try client.all("companies").count == 1)
    }

    @Test func aBatchAppliesAllOrNothing() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let ok = try client.post(
            "/v1/batch",
            [
                "operations": [
                    ["method": "POST", "path": "/v1/companies", "body": ["id": "acme", "name": "Acme"]],
                    ["method": "POST", "path": "/v1/contacts", "body": ["name": "Bo", "company_id": "acme"]],
                    ["method": "PATCH", "path": "/v1/profile", "body": ["name": "Ana"]],
                ]
            ])
        #expect(ok.status == 200, "\(ok.text)")
        let results = try #require(try ok.object()["results"]?.arrayValue)
        #expect(results.map { $0.objectValue!["status"]! } == [201, 201, 200])

        let failed = try client.post(
            "/v1/batch",
            [
                "operations": [
                    ["method": "POST", "path": "/v1/companies", "body": ["name": "Initech"]],
                    ["method": "DELETE", "path": "/v1/companies/acme"],
                    ["method": "PATCH", "path": "/v1/values/missing", "body": ["name": "x"]],
                ]
            ])
        let problem = try failed.problem(404)
        #expect(problem["failed_operation"] == 2)
        #expect(problem["results"]?.arrayValue?.map { $0.objectValue!["status"]! } == [424, 424, 404])
        #expect(try client.all("companies").map { $0["name"]! } == ["Acme"])

        let invalid = try client.post(
            "/v1/batch",
            ["operations": [["method": "POST", "path": "/v1/values", "body": ["nme": "x"]], ["method": "GET", "path": "/v1/values"]]])
        try invalid.problem(422)
        #expect(Set(try invalid.errorFields()) == ["operations[0].body.nme", "operations[0].body.name", "operations[1].method"])
    }

    @Test func deletedRecordsCanBeReferencedNoMoreButTheirReferrersSurvive() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let company = try client.create("companies", ["name": "Acme"])
        let id = company["id"]!.stringValue!
        let contact = try client.create("contacts", ["name": "Bo", "company_id": .string(id)])
        #expect(try client.delete("/v1/companies/\(id)").status == 204)
        #expect(try client.get("/v1/contacts/\(contact["id"]!.stringValue!)").object()["company_id"] == .string(id))
        try client.post("/v1/contacts", ["name": "Cy", "company_id": .string(id)]).problem(422)
    }

    @Test func concurrentWritersAreAllAcknowledgedAndStored() throws {
        let daemon = try TestDaemon()
        let group = DispatchGroup()
        let failures = Shared(0)
        for worker in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let client = try? daemon.client() else { return failures.update { $0 += 1 } }
                for i in 0..<25 {
                    let response = try? client.post("/v1/values", ["name": .string("w\(worker)-\(i)")])
                    if response?.status != 201 { failures.update { $0 += 1 } }
                }
            }.start()
        }
        group.wait()
        #expect(failures.get() == 0)
        #expect(try daemon.client().all("values").count == 200)
    }
}
