import Testing

@testable import Daemon

@Suite struct MarkdownTests {
    @Test func markupCharactersInUserTextAreEscaped() {
        #expect(
            Markdown.inline("# Fix | the `build` *now* _please_") == ##"\# Fix \| the \`build\` \*now\* \_please\_"##)
        #expect(Markdown.inline("<script>alert(1)</script>") == #"\<script\>alert(1)\</script\>"#)
        #expect(Markdown.inline("[link](http://x) ![img](y)") == #"\[link\](http://x) \!\[img\](y)"#)
        #expect(Markdown.inline(#"a\b ~~c~~ &amp;"#) == #"a\\b \~\~c\~\~ \&amp;"#)
    }

    @Test func inlineTextStaysOnOneLine() {
        #expect(Markdown.inline("first\nsecond\r\n\tthird") == "first second third")
        #expect(Markdown.inline("  padded  ") == "padded")
    }

    @Test func lineStartsThatWouldOpenABlockAreEscaped() {
        #expect(Markdown.inline("- not a list") == #"\- not a list"#)
        #expect(Markdown.inline("+ nor this") == #"\+ nor this"#)
        #expect(Markdown.inline("=====") == #"\====="#)
        #expect(Markdown.inline("1. not ordered") == #"1\. not ordered"#)
        #expect(Markdown.inline("2026) a year") == #"2026\) a year"#)
        #expect(Markdown.inline("3.5 stars") == #"3\.5 stars"#)
        #expect(Markdown.inline("> quote") == #"\> quote"#)
        #expect(Markdown.inline("x - y") == "x - y")
    }

    @Test func paragraphsKeepTheirBreaksButNotTheirMarkup() {
        let text = "First line\n- item\n    indented code\n\n\n```\nfenced\n```"
        #expect(
            Markdown.paragraphs(text) == "First line\\\n\\- item\\\nindented code\n\n\\`\\`\\`\\\nfenced\\\n\\`\\`\\`")
    }

    @Test func linksAreAutolinksWhenSafe() {
        #expect(Markdown.link("https://example.com/a_b?c=d") == "<https://example.com/a_b?c=d>")
        #expect(Markdown.link("https://example.com/<x>") == #"https://example.com/\<x\>"#)
    }

    @Test func headingsNeverComeOutEmpty() {
        var md = Markdown()
        md.heading(2, "   ")
        md.heading(3, "# Title | with `code`")
        #expect(md.text == "## (untitled)\n\n### \\# Title \\| with \\`code\\`\n")
    }

    @Test func tableCellsCannotSplitColumns() {
        var md = Markdown()
        md.table(["A", "B"], [[Markdown.inline("x | y"), ""]])
        #expect(md.text == "| A | B |\n| --- | --- |\n| x \\| y |   |\n")
    }
}

@Suite struct ProgressBarTests {
    @Test func theLineShowsTheFraction() {
        #expect(ProgressBar.line("importing", 50, 200, width: 10) == "\rimporting [##--------]  25% 50/200")
        #expect(ProgressBar.line("importing", 200, 200, width: 10) == "\rimporting [##########] 100% 200/200")
    }
}

@Suite struct SearchRequestTests {
    @Test func parsesQueryLimitAndCursor() throws {
        let first = try SearchRequest.parse([.init(name: "q", value: "rust"), .init(name: "limit", value: "5")]).get()
        #expect(first.text == "rust" && first.limit == 5 && first.offset == 0)
        let cursor = first.cursor(after: 5)
        let second = try SearchRequest.parse([.init(name: "q", value: "rust"), .init(name: "cursor", value: cursor)])
            .get()
        #expect(second.offset == 5)
    }

    @Test func refusesWhatItCannotUse() {
        func fields(_ items: [QueryItem]) -> [String] {
            guard case .failure(let failure) = SearchRequest.parse(items) else { return [] }
            return failure.errors.map(\.field)
        }
        #expect(fields([]) == ["q"])
        #expect(fields([.init(name: "q", value: "  ")]) == ["q"])
        #expect(fields([.init(name: "q", value: "a"), .init(name: "limit", value: "0")]) == ["limit"])
        #expect(fields([.init(name: "q", value: "a"), .init(name: "limit", value: "101")]) == ["limit"])
        #expect(fields([.init(name: "q", value: "a"), .init(name: "cursor", value: "garbage")]) == ["cursor"])
        #expect(fields([.init(name: "q", value: "a"), .init(name: "sort", value: "x")]) == ["sort"])
        let other = SearchRequest(text: "b", limit: 20, offset: 0).cursor(after: 20)
        #expect(fields([.init(name: "q", value: "a"), .init(name: "cursor", value: other)]) == ["cursor"])
    }

    @Test func snippetsAreSafeHTML() {
        let snippet = "<b>x</b> & " + "\u{E000}" + "match" + "\u{E001}" + " \"q\""
        #expect(SearchRequest.htmlSnippet(snippet) == "&lt;b&gt;x&lt;/b&gt; &amp; <mark>match</mark> &quot;q&quot;")
    }
}
