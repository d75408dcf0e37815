import ArgumentParser
import Model

/// `jobprepd openapi`: prints the OpenAPI document generated from the catalog. Hidden: it is for
/// regenerating the committed `openapi.yaml` (`jobprepd openapi > openapi.yaml`).
struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the OpenAPI document generated from the catalog (regenerates openapi.yaml).",
        shouldDisplay: false
    )

    @Flag(help: "Print JSON (keys sorted) instead of YAML.")
    var json = false

    func run() throws {
        if json {
            print(JSONWriter(pretty: true).string(OpenAPIDocumentBuilder().build().jsonValue))
        } else {
            print(OpenAPIDocumentBuilder.yaml(), terminator: "")
        }
    }
}
