/// The API description served at `/openapi.yaml`: generated from the catalog once per process. The
/// committed `openapi.yaml` is the same text (`jobprepd openapi > openapi.yaml`; a test compares them).
enum OpenAPIDocument {
    static let bytes: [UInt8] = Array(OpenAPIDocumentBuilder.yaml().utf8)
}
