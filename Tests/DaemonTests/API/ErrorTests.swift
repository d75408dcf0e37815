import Foundation
import Model
import Testing

/// Every error class the API answers, each as problem+json, and none of them storing anything.
@Suite struct ErrorTests {
    private func count(_ client: APIClient, _ collection: String) throws -> Int { try client.all(collection).count }

    @Test func malformedJSONIs400AndStoresNothing() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let bad: [[UInt8]] = [
            Array(#"{"name": "x""#.utf8), Array(#"{"name": 'x'}"#.utf8), Array("{\"name\": \"a\",}".utf8),
            [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D], Array("".utf8), Array("nul\0".utf8),
            Array(#"{"name":"a","name":"b"}"#.utf8),
        ]
        for body in bad {
            let response = try client.request("POST", "/v1/values", body: body, contentType: "application/json")
            try response.problem(400)
        }
        #expect(try count(client, "values") == 0)
    }

    @Test func deeplyNestedAndHugeNumbersAreRefusedCleanly() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        try client.request("POST", "/v1/values", body: Array(deep.utf8), contentType: "application/json").problem(400)
        try client.post("/v1/values", ["name": "x", "rank": 1e300]).problem(422)
        try client.request(
            "POST", "/v1/values", body: Array(#"{"name":"x","rank":1e999}"#.utf8), contentType: "application/json"
        ).problem(400)
        try client.post("/v1/values", ["name": "x", "rank": 99_999_999_999_999]).problem(422)
        #expect(try client.get("/healthz").status == 200)
        #expect(try count(client, "values") == 0)
    }

    @Test func authIs401WithoutOrWithABadToken() throws {
        let daemon = try TestDaemon()
        let anonymous = APIClient(connection: try HTTPTestClient(port: daemon.port), token: nil)
        let response = try anonymous.get("/v1/values")
        try response.problem(401)
        #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        try anonymous.get("/v1/values", headers: [("Authorization", "Bearer nope")]).problem(401)
        try anonymous.get("/v1/values", headers: [("Authorization", "Basic Zm9vOmJhcg==")]).problem(401)
        try anonymous.post("/v1/values", ["name": "x"]).problem(401)
        #expect(try anonymous.get("/healthz").status == 200)
        #expect(try anonymous.get("/openapi.yaml").status == 200)
    }

    @Test func aReadTokenCannotWrite() throws {
        let daemon = try TestDaemon()
        let secret = try daemon.application.store.createToken(name: "reader", scope: .read)
        let reader = try daemon.client(token: secret)
        #expect(try reader.get("/v1/values").status == 200)
        try reader.post("/v1/values", ["name": "x"]).problem(403)
        let syncOnly = try daemon.client(token: try daemon.application.store.createToken(name: "peer", scope: .sync))
        try syncOnly.get("/v1/values").problem(403)
    }

    @Test func revocationTakesEffectAtOnce() throws {
        let daemon = try TestDaemon()
        let secret = try daemon.application.store.createToken(name: "laptop", scope: .write)
        let laptop = try daemon.client(token: secret)
        #expect(try laptop.get("/v1/values").status == 200)
        #expect(try daemon.application.store.revokeToken(name: "laptop"))
        try laptop.get("/v1/values").problem(401)
    }

    @Test func unknownRoutesIdsAndMethods() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try client.get("/v1/nothing").problem(404)
        try client.get("/v1/values/missing").problem(404)
        try client.get("/v1/values/a/b").problem(404)
        try client.get("/v1/../etc/passwd").problem(404)
        try client.patch("/v1/values/missing", ["name": "x"]).problem(404)
        try client.delete("/v1/values/missing").problem(404)
        let wrong = try client.request("PUT", "/v1/values")
        try wrong.problem(405)
        #expect(wrong.header("Allow") == "GET, POST")
        try client.request("POST", "/v1/values/x", json: ["name": "x"]).problem(405)
    }

    @Test func duplicateIDsAreAConflict() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try client.create("values", ["id": "v1", "name": "One"])
        try client.post("/v1/values", ["id": "v1", "name": "Two"]).problem(409)
        #expect(try client.get("/v1/values/v1").object()["name"] == "One")
    }

    @Test func ifMatchMismatchIs412AndChangesNothing() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let made = try client.create("values", ["name": "One"])
        let id = made["id"]!.stringValue!
        let stale = try client.patch("/v1/values/\(id)", ["name": "Two"], headers: [("If-Match", "\"0000000000000000\"")])
        try stale.problem(412)
        #expect(stale.header("ETag") == "\"\(made["version"]!.stringValue!)\"")
        try client.delete("/v1/values/\(id)", headers: [("If-Match", "\"nope\"")]).problem(412)
        #expect(try client.get("/v1/values/\(id)").object() == made)
        let ok = try client.patch("/v1/values/\(id)", ["name": "Two"], headers: [("If-Match", "\"\(made["version"]!.stringValue!)\"")])
        #expect(ok.status == 200)
        let unchanged = try client.get("/v1/values/\(id)", headers: [("If-None-Match", ok.header("ETag")!)])
        #expect(unchanged.status == 304)
    }

    @Test func oversizedBodiesAre413() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let big = "{\"name\":\"" + String(repeating: "x", count: 1 << 20) + "\"}"
        try client.request("POST", "/v1/values", body: Array(big.utf8), contentType: "application/json").problem(413)
        let fresh = try daemon.client()
        #expect(try count(fresh, "values") == 0)
    }

    @Test func wrongContentTypesAre415() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try client.request("POST", "/v1/values", body: Array(#"{"name":"x"}"#.utf8), contentType: "text/plain").problem(415)
        try client.request("POST", "/v1/values", body: Array(#"{"name":"x"}"#.utf8)).problem(415)
        try client.request("POST", "/v1/values", json: ["name": "x"], contentType: "application/json; charset=latin1")
            .problem(415)
        let made = try client.create("values", ["name": "x"])
        try client.request(
            "PATCH", "/v1/values/\(made["id"]!.stringValue!)", body: Array(#"{"name":"y"}"#.utf8),
            contentType: "application/xml"
        ).problem(415)
        #expect(try count(client, "values") == 1)
    }

    @Test func jsonIsAcceptedInAnyCaseWithBlanksAndAUTF8Charset() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        for contentType in [
            "application/json", "Application/JSON", " application/json\t", "application/json;charset=utf-8",
            "APPLICATION/JSON ; Charset = \"UTF-8\"", "application/json; boundary=x",
        ] {
            let response = try client.request(
                "POST", "/v1/values", body: Array(#"{"name":"x"}"#.utf8), contentType: contentType)
            #expect(response.status == 201, "\(contentType.debugDescription)")
        }
        #expect(try count(client, "values") == 6)
    }

    @Test func validationIs422NamingEachField() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let response = try client.post(
            "/v1/opportunities",
            ["title": 7, "status": "dreaming", "salary": 1, "company_id": "ghost", "url": "ftp://x"])
        let problem = try response.problem(422)
        #expect(Set(try response.errorFields()) == ["title", "status", "salary", "url"])
        #expect(problem["errors"]?.arrayValue?.allSatisfy { $0.objectValue?["message"]?.stringValue?.isEmpty == false } == true)
        let dangling = try client.post("/v1/opportunities", ["title": "Staff", "company_id": "ghost"])
        try dangling.problem(422)
        #expect(try dangling.errorFields() == ["company_id"])
        try client.post("/v1/values", ["name": "x", "id": "bad id"]).problem(422)
        try client.post("/v1/values", [["name": "x"]]).problem(422)
        #expect(try count(client, "opportunities") == 0)
        #expect(try count(client, "values") == 0)
    }

    @Test func badQueriesAre400() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        for query in ["limit=0", "limit=501", "limit=x", "cursor=garbage!", "sort=nope", "color=red", "rank=high"] {
            let response = try client.get("/v1/values?\(query)")
            try response.problem(400)
        }
        #expect(try client.get("/v1/values?limit=500").status == 200)
    }

    @Test func theHostGuardRefusesForeignNames() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try client.get("/v1/values", headers: [("Host", "evil.example:\(daemon.port)")]).problem(403)
        #expect(try client.get("/v1/values", headers: [("Host", "localhost:\(daemon.port)")]).status == 200)
        #expect(try client.get("/v1/values", headers: [("Host", "127.0.0.1:\(daemon.port)")]).status == 200)
        let named = try TestDaemon { $0.api.allowedHosts = ["jobprep.lan"] }
        #expect(try named.client().get("/v1/values", headers: [("Host", "jobprep.lan")]).status == 200)
    }
}
