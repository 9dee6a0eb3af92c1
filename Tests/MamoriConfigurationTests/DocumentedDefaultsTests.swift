// Primary responsibilities: the defaults in Docs/configuration.md are the code's — every row of its
// key tables whose default is a literal value is decoded as written, and must give the same
// configuration as no key at all; the rows whose default is described in words are checked by hand.

import DNSWire
import Foundation
import MamoriConfiguration
import Testing

@Suite("Documented defaults")
struct DocumentedDefaultsTests {
    /// One row of a key table: its section (nil at top level), key and default cell.
    struct Row: CustomStringConvertible {
        var section: String?
        var key: String
        var value: String
        var description: String { (section.map { "\($0)." } ?? "") + key + " = " + value }
    }

    /// The rows of Docs/configuration.md's key tables (`| `key` | range | `default` | meaning |`),
    /// with the section heading above each (`### `cache``, or `### Top level`).
    static func rows() throws -> [Row] {
        let path = String(#filePath).replacingOccurrences(
            of: "Tests/MamoriConfigurationTests/DocumentedDefaultsTests.swift", with: "Docs/configuration.md")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var section: String? = nil
        var rows: [Row] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("### ") {
                let heading = line.dropFirst(4)
                section = heading.hasPrefix("`") ? String(heading.dropFirst().prefix { $0 != "`" }) : nil
                continue
            }
            // `\|` inside a cell (`off` \| `relaxed`) is not a column break.
            let cells = line.replacingOccurrences(of: "\\|", with: "/").split(
                separator: "|", omittingEmptySubsequences: false
            ).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 5, cells[1].hasPrefix("`"), cells[1].hasSuffix("`") else { continue }
            rows.append(Row(section: section, key: String(cells[1].dropFirst().dropLast()), value: cells[3]))
        }
        return rows
    }

    @Test("each literal default in Docs/configuration.md decodes to the code's default")
    func literalDefaults() throws {
        let rows = try Self.rows()
        #expect(rows.count >= 40, "the key tables were not found: \(rows.count) rows")
        var defaults = Configuration()
        defaults.sourceFile = nil
        var checked = 0
        for row in rows where row.value.hasPrefix("`") && row.value.hasSuffix("`") {
            let value = String(row.value.dropFirst().dropLast())
            let yaml = row.section.map { "\($0):\n  \(row.key): \(value)\n" } ?? "\(row.key): \(value)\n"
            var decoded = try Configuration(yaml: yaml, file: "documented", baseDirectory: "/")
            decoded.sourceFile = nil
            #expect(decoded == defaults, "\(row): the documented default is not the code's")
            checked += 1
        }
        // The five keys of a `blocklists` item are checked by BlocklistKeysTests.
        #expect(
            checked == rows.count - 9 - 5,
            "every row but the nine described in words and the blocklists items has a literal default")
    }

    @Test(
        "the defaults described in words: loopback allowed, metrics off, no TLS certificate, DNS64 off, dnstap's identity and version"
    )
    func describedDefaults() throws {
        let rows = try Self.rows()
        // The keys of a `blocklists` item are not top-level values: BlocklistKeysTests checks their defaults.
        let described = rows.filter { !$0.value.hasSuffix("`") && $0.section != "blocklists" }.map(\.key).sorted()
        #expect(
            described == [
                "access-control", "certificate", "exclude", "exclude-ipv4", "identity", "key", "listen", "prefix",
                "version",
            ])
        // DNS64's keys need its prefix, so its defaults are words: off, ::ffff:0:0/96, none.
        #expect(Configuration().dns64 == nil)
        let dns64 = try #require(
            try Configuration(yaml: "dns64: { prefix: 64:ff9b::/96 }", file: "d", baseDirectory: "/").dns64)
        #expect(dns64.exclude.map { "\($0)" } == ["::ffff:0.0.0.0/96"] && dns64.excludeIPv4.isEmpty)
        #expect(rows.filter { $0.section == "blocklists" }.map(\.key) == ["name", "file", "format", "action", "ttl"])
        let configuration = Configuration()
        #expect(configuration.accessControl.map(\.action) == [.allow, .allow])
        #expect(configuration.accessControl.map { "\($0.network)" } == ["127.0.0.0/8", "::1/128"])
        #expect(configuration.metrics.listen == nil)
        #expect(configuration.tls.certificate == nil && configuration.tls.key == nil)
        #expect(configuration.dnstap.identity == nil && configuration.dnstap.version == nil)
    }
}
