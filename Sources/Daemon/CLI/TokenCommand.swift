import ArgumentParser
import Foundation
import Storage

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "List, create and revoke access tokens (one per device or front end).",
        discussion:
            "Works on the data directory whether or not a daemon is serving it; a revocation takes effect at once.",
        subcommands: [List.self, Create.self, Revoke.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens: name, scope, created, last used.")
        @OptionGroup var data: DataDirectoryOption

        func run() throws {
            let store = try openStore(data.directory)
            defer { store.close() }
            let tokens = try store.tokens()
            print("NAME\tSCOPE\tCREATED\tLAST USED")
            for token in tokens {
                print("\(token.name)\t\(token.scope.rawValue)\t\(token.createdAt)\t\(token.lastUsedAt ?? "never")")
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it (it is stored only as a hash and cannot be shown again).")
        @OptionGroup var data: DataDirectoryOption
        @Argument(help: "A name for the device or front end, e.g. laptop.")
        var name: String
        @Option(help: "read, write or sync (sync lets a peer sync and nothing more).")
        var scope: String = "write"

        func run() throws {
            guard let scope = TokenScope(rawValue: scope) else {
                throw ValidationError("--scope must be read, write or sync")
            }
            let store = try openStore(data.directory)
            defer { store.close() }
            do {
                print(try store.createToken(name: name, scope: scope))
            } catch let error as TokenError {
                throw ValidationError(error.description)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; requests using it fail at once.")
        @OptionGroup var data: DataDirectoryOption
        @Argument(help: "The token's name.")
        var name: String

        func run() throws {
            let store = try openStore(data.directory)
            defer { store.close() }
            guard try store.revokeToken(name: name) else {
                throw ValidationError("no token is named \(name)")
            }
            print("revoked \(name)")
        }
    }
}
