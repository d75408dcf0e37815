/// The API description served at `/openapi.yaml`, compiled in from the repository's `openapi.yaml`.
enum OpenAPIDocument {
    static var bytes: [UInt8] { PackageResources.openapi_yaml }
}
