import Model
import Testing

@testable import Storage

@Suite struct TokenTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func sha256MatchesTheNISTVectors(message: String, digest: String) {
        #expect(Hex.encode(SHA256.hash(Array(message.utf8))) == digest)
    }

    @Test func sha256OfAMillionAs() {
        let digest = Hex.encode(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)))
        #expect(digest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func tokensAreStoredOnlyAsHashesAndRevokedAtOnce() throws {
        let t = try TemporaryStore()
        let secret = try t.store.createToken(name: "laptop", scope: .read)
        #expect(secret.hasPrefix("jp_"))
        #expect(try t.store.authenticate(secret)?.scope == .read)
        #expect(try t.store.authenticate(secret + "x") == nil)
        let stored = try t.store.readDatabase { db in try String.fetchAll(db, sql: "SELECT hash FROM tokens") }
        #expect(!stored.contains(secret))
        #expect(try t.store.tokens().map(\.name) == ["laptop"])
        #expect(throws: TokenError.nameTaken("laptop")) { try t.store.createToken(name: "laptop", scope: .write) }
        #expect(throws: TokenError.invalidName("bad name")) { try t.store.createToken(name: "bad name", scope: .write) }
        #expect(try t.store.revokeToken(name: "laptop"))
        #expect(try t.store.authenticate(secret) == nil)
        #expect(try !t.store.revokeToken(name: "laptop"))
    }

    @Test func constantTimeEquality() {
        #expect(Tokens.constantTimeEquals("abc", "abc"))
        #expect(!Tokens.constantTimeEquals("abc", "abd"))
        #expect(!Tokens.constantTimeEquals("abc", "abcd"))
    }
}
