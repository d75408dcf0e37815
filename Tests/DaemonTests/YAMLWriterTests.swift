import Testing

@testable import Daemon

@Suite struct YAMLWriterTests {
    func yaml(_ value: OrderedJSON) -> String { YAMLWriter().string(value) }

    @Test func keepsKeyOrderAndNests() {
        let value: OrderedJSON = ["b": 1, "a": ["list": ["x", ["k": true, "j": nil]], "empty": [:], "none": []]]
        #expect(
            yaml(value) == """
                b: 1
                a:
                  list:
                    - x
                    - k: true
                      j: null
                  empty: {}
                  none: []

                """)
    }

    @Test func quotesWhatALoaderWouldReadAsSomethingElse() {
        for text in [
            "true", "No", "null", "~", "", "1.0", "200", "-x", "#x", "a: b", "a #b", "ends:", " lead", "*x", "@x",
        ] {
            #expect(YAMLWriter.scalar(text).hasPrefix("\""), "\(text)")
        }
        for text in ["plain", "two words", "/v1/values/{id}", "$ref", "a:b", "a#b", "x - y"] {
            #expect(YAMLWriter.scalar(text) == text, "\(text)")
        }
        #expect(YAMLWriter.quoted("tab\there \"q\" \\ \u{7}\u{2028}") == #""tab\there \"q\" \\ \u0007\u2028""#)
    }

    @Test func writesShortScalarListsInFlowStyleAndMultiLineTextAsALiteral() {
        #expect(yaml(["type": ["string", "null"]]) == "type: [string, \"null\"]\n")
        #expect(yaml(["text": "one\n\ntwo"]) == "text: |-\n  one\n\n  two\n")
        #expect(yaml(["text": "trailing\n"]) == "text: \"trailing\\n\"\n")
        #expect(yaml(["text": "# Title\n\n- item\n"]) == "text: |\n  # Title\n\n  - item\n")
        #expect(yaml(["text": "two\nbreaks\n\n"]) == "text: \"two\\nbreaks\\n\\n\"\n")
    }
}
