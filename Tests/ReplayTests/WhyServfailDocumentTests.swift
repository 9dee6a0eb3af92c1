// Primary responsibilities: Docs/why-servfail.md stays true to the code — every site tag a reason or
// failure is made with in Sources has a row there, and every row names a tag that still exists; every
// Extended DNS Error code the code sends has a row in the page's table of codes, and every code there
// is still sent.

import Foundation
import Testing

@Suite struct WhyServfailDocumentTests {
    /// The repository's root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The text of every Swift file under `Sources`, by path.
    static func sources() throws -> [(path: String, text: String)] {
        var files: [(String, String)] = []
        let sources = root.appendingPathComponent("Sources")
        let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = enumerator?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            files.append((file.path, try String(contentsOf: file, encoding: .utf8)))
        }
        return files
    }

    /// Every match of `pattern`'s first group in `text`.
    static func captures(_ pattern: String, in text: String) throws -> [String] {
        let expression = try NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// Site tags as the code makes them, wherever a tag is given: the argument of `site:` (a
    /// ValidationReason, a ResolutionFailure, a fetch's site, a ternary of two tags, a default
    /// value), a `site = "XXXX"` binding, and `missing("XXXX", …)` (the NSEC and NSEC3 proof
    /// helpers), line breaks allowed. Doc comments are left out: they quote tags as examples.
    static func sourceTags() throws -> Set<String> {
        var tags: Set<String> = []
        for (_, text) in try sources() {
            let code = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("///") }.joined(separator: "\n")
            let arguments =
                try captures(#"\bsite\s*[:=]\s*([^,)]*)"#, in: code)
                + captures(#"\bmissing\(\s*("[^"]*")"#, in: code)
            for argument in arguments { tags.formUnion(try captures(#""([A-Z0-9]{4})""#, in: argument)) }
        }
        return tags
    }

    /// The tags of the page's table rows (`| \`XXXX\` | …`).
    static func documentedTags() throws -> Set<String> {
        Set(try captures(#"(?m)^\| `([A-Z0-9]{4})` \|"#, in: try page()))
    }

    /// The page.
    static func page() throws -> String {
        try String(contentsOf: root.appendingPathComponent("Docs/why-servfail.md"), encoding: .utf8)
    }

    /// The INFO-CODE of each `EDECode` constant, read from DNSWire's registry.
    static func codeNumbers() throws -> [String: Int] {
        let registry = try String(
            contentsOf: root.appendingPathComponent("Sources/DNSWire/Registries.swift"), encoding: .utf8)
        let expression = try NSRegularExpression(pattern: #"public static let (\w+) = EDECode\((\d+)\)"#)
        var numbers: [String: Int] = [:]
        for match in expression.matches(in: registry, range: NSRange(registry.startIndex..., in: registry)) {
            guard let name = Range(match.range(at: 1), in: registry),
                let value = Range(match.range(at: 2), in: registry)
            else { continue }
            numbers[String(registry[name])] = Int(registry[value])
        }
        return numbers
    }

    /// The EDE codes the code sends: those an `ExtendedDNSError` is made with, those of reasons
    /// (`bogus:`, `insecure:`) and failures (`ResolutionFailure(.…`), and those chosen into an
    /// `EDECode` variable (`let code: EDECode = a ? .x : .y`). Names are those of DNSWire's registry.
    static func sentCodes() throws -> Set<Int> {
        let numbers = try codeNumbers()
        var codes: Set<Int> = []
        for (path, text) in try sources() where !path.hasSuffix("DNSWire/Registries.swift") {
            let expressions =
                try captures(#"ExtendedDNSError\(\s*(\.\w+)"#, in: text)
                + captures(#"\b(?:bogus|insecure):\s*([^,]*)"#, in: text)
                + captures(#"ResolutionFailure\(\s*(\.\w+)"#, in: text)
                + captures(#":\s*EDECode\s*=\s*([^\n]*)"#, in: text)
            for expression in expressions {
                for name in try captures(#"\.(\w+)"#, in: expression) {
                    if let number = numbers[name] { codes.insert(number) }
                }
            }
        }
        return codes
    }

    /// The codes of the rows of the page's "Codes at a glance" table (`| 7, 8 | …`).
    static func documentedCodes() throws -> Set<Int> {
        let page = try page()
        let start = try #require(page.range(of: "## Codes at a glance"))
        let rest = page[start.upperBound...]
        let section = rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        let cells = try captures(#"(?m)^\| ([0-9][0-9, ]*) \|"#, in: String(section))
        return Set(
            cells.flatMap { $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } })
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

    @Test("every EDE code Sources sends is in the page's table of codes, and every code there is still sent")
    func everyCodeDocumented() throws {
        let sent = try Self.sentCodes()
        let documented = try Self.documentedCodes()
        #expect(sent.isSuperset(of: [0, 6, 9, 22]), "the scan found too few codes: \(sent.sorted())")
        #expect(
            sent.subtracting(documented).isEmpty,
            "sent but not in the codes table of Docs/why-servfail.md: \(sent.subtracting(documented).sorted())")
        #expect(
            documented.subtracting(sent).isEmpty,
            "in the codes table but no longer sent: \(documented.subtracting(sent).sorted())")
    }
}
