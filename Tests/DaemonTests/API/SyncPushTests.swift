import Foundation
import Model
import Testing

@testable import Daemon

/// `POST /v1/sync/changes` refuses cells that would leave this replica in a state its own writes
/// could not handle.
@Suite struct SyncPushTests {
    static let sender = "11111111111111111111111111111111"

    private func push(_ client: APIClient, _ changes: [JSONValue]) throws -> TestResponse {
        try client.post(
            "/v1/sync/changes",
            [
                "node_id": .string(Self.sender), "protocol": 1,
                "schema": .string(Catalog.fingerprint), "changes": .array(changes),
            ])
    }

    /// A clock reading of now, on the wire.
    private var now: String {
        let hex = String(UInt64(Date().timeIntervalSince1970 * 1000) << 16, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private func cell(
        _ collection: String, _ id: String, _ field: String, _ value: JSONValue, cl: Int64,
        hlc: String = "0000000000010000"
    ) -> JSONValue {
        [
            "collection": .string(collection), "id": .string(id), "field": .string(field), "value": value,
            "cl": .int(cl), "hlc": .string(hlc), "node": .string(Self.sender),
        ]
    }

    /// A causal length near Int64.max once crashed the daemon on the next local delete (cl + 1).
    @Test func aCausalLengthALocalWriteWouldOverflowIsRefused() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let refused = try push(client, [cell("companies", "x", "_exists", true, cl: Int64.max)])
        try refused.problem(422)
        #expect(try refused.errorFields() == ["changes[0].cl"])

        let max: Int64 = (1 << 53) - 1  // the greatest cl a push may carry
        let accepted = try push(
            client,
            [
                cell("companies", "x", "_exists", true, cl: max),
                cell("companies", "x", "name", "Acme", cl: max),
            ])
        #expect(accepted.status == 200, "\(accepted.text)")
        #expect(try client.delete("/v1/companies/x").status == 204)
        #expect(try client.post("/v1/companies", ["id": "x", "name": "Acme again"]).status == 201)
        #expect(try client.get("/healthz").status == 200)
    }

    /// A cell is validated as a create validates its field: a required field is never null.
    @Test func aRequiredFieldCannotBeClearedBySync() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        try client.create("values", ["id": "craft", "name": "Craft"])
        let refused = try push(
            client, [cell("values", "craft", "name", nil, cl: 1), cell("values", "craft", "why", nil, cl: 1)])
        try refused.problem(422)
        #expect(try refused.errorFields() == ["changes[0].value"])
        #expect(try client.get("/v1/values/craft").object()["name"] == "Craft")
    }

    /// The profile is a singleton that always exists: a push can neither add a second one nor
    /// delete it (GET and PATCH /v1/profile answered 404 for good after that).
    @Test func theProfileSingletonCannotBeDuplicatedOrDeleted() throws {
        let daemon = try TestDaemon()
        let client = try daemon.client()
        let second = try push(client, [cell("profile", "x", "name", "Mallory", cl: 1)])
        try second.problem(422)
        #expect(try second.errorFields() == ["changes[0].id"])
        let deleted = try push(client, [cell("profile", "profile", "_exists", false, cl: 2)])
        try deleted.problem(422)
        #expect(try deleted.errorFields() == ["changes[0].cl"])
        let renamed = try push(client, [cell("profile", "profile", "name", "Ana", cl: 1, hlc: now)])
        #expect(renamed.status == 200, "\(renamed.text)")
        #expect(try client.get("/v1/profile").object()["name"] == "Ana")
        let export = try client.get("/v1/export").object()
        #expect(export["collections"]?.objectValue?["profile"]?.arrayValue?.count == 1)
    }
}
