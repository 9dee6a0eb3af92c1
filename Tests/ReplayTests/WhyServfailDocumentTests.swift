// Primary responsibilities: Docs/why-servfail.md stays true to the code — every site tag a reason or
// failure is made with in Sources has a row there, and every row names a tag that still exists.

import Foundation
import Testing

@Suite struct WhyServfailDocumentTests {
    /// The repository's root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Site tags as the code makes them: `site: "XXXX"` (ValidationReason, ResolutionFailure, a
    /// fetch's site) and `missing("XXXX", …)` (the NSEC and NSEC3 proof helpers), line breaks allowed.
    static func sourceTags() throws -> Set<String> {
        let pattern = try NSRegularExpression(pattern: #"(?:site:|missing\()\s*"([A-Z0-9]{4})""#)
        var tags: Set<String> = []
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { tags.insert(String(text[range])) }
            }
        }
        return tags
    }

    /// The tags of the page's table rows (`| \`XXXX\` | …`).
    static func documentedTags() throws -> Set<String> {
        let page = try String(
            contentsOf: root.appendingPathComponent("Docs/why-servfail.md"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"(?m)^\| `([A-Z0-9]{4})` \|"#)
        return Set(
            pattern.matches(in: page, range: NSRange(page.startIndex..., in: page)).compactMap { match in
                Range(match.range(at: 1), in: page).map { String(page[$0]) }
            })
    }

    @Test("every site tag in Sources has a row in Docs/why-servfail.md, and every row a tag in Sources")
    func everyTagDocumented() throws {
        let code = try Self.sourceTags()
        let documented = try Self.documentedTags()
        #expect(code.count > 60, "the scan found too few tags: \(code.sorted())")
        #expect(
            code.subtracting(documented).isEmpty,
            "not in Docs/why-servfail.md: \(code.subtracting(documented).sorted())")
        #expect(documented.subtracting(code).isEmpty, "no longer in Sources: \(documented.subtracting(code).sorted())")
    }
}
