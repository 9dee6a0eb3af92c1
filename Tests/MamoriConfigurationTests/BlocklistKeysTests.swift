// Primary responsibilities: the `blocklists` key — its items, defaults, relative paths, and the
// errors that name the line, column and key of a bad item.

import Foundation
import MamoriConfiguration
import Testing

@Suite("Configuration: blocklists")
struct BlocklistKeysTests {
    /// A folder with an `ads.txt` in it.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "mamori-blocklist-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try "ads.example\n".write(toFile: path + "/ads.txt", atomically: false, encoding: .utf8)
        return path
    }

    @Test("items in order, paths against the file's folder, action and ttl defaults")
    func items() throws {
        let base = try Self.folder()
        let configuration = try Configuration(
            yaml: """
                blocklists:
                  - { name: allow, file: ads.txt, format: domains, action: passthru }
                  - { name: ads, file: \(base)/ads.txt, format: hosts }
                  - { name: rpz.local, file: ./ads.txt, format: rpz, ttl: 60 }
                """, file: base + "/mamori.yaml", baseDirectory: base)
        #expect(
            configuration.blocklists == [
                BlocklistConfiguration(name: "allow", file: base + "/ads.txt", format: .domains, action: .passthru),
                BlocklistConfiguration(
                    name: "ads", file: base + "/ads.txt", format: .hosts, action: .nxdomain, ttl: 300),
                BlocklistConfiguration(name: "rpz.local", file: base + "/ads.txt", format: .rpz, ttl: 60),
            ])
        #expect(try Configuration(yaml: "", file: "x", baseDirectory: base).blocklists == [])
    }

    @Test("bad items: missing keys, a bad format, an unreadable file, a repeated name, action on rpz")
    func badItems() throws {
        let base = try Self.folder()
        do {
            _ = try Configuration(
                yaml: """
                    blocklists:
                      - { name: ads, file: ads.txt }
                      - { name: "a b", file: ads.txt, format: adblock }
                      - { name: x, file: missing.txt, format: hosts }
                      - { name: ads, file: ads.txt, format: rpz, action: nodata, colour: red }
                    """, file: "/etc/mamori/mamori.yaml", baseDirectory: base)
            Issue.record("expected errors")
        } catch {
            #expect(
                error.diagnostics.map(\.description) == [
                    "/etc/mamori/mamori.yaml:2:5: blocklists[0]: missing key format",
                    "/etc/mamori/mamori.yaml:3:7: blocklists[1].name: expected up to 64 letters, digits, '-', '_' or '.', got \"a b\"",
                    "/etc/mamori/mamori.yaml:3:35: blocklists[1].format: expected hosts, domains or rpz, got \"adblock\"",
                    "/etc/mamori/mamori.yaml:4:16: blocklists[2].file: cannot read \(base)/missing.txt: No such file or directory",
                    "/etc/mamori/mamori.yaml:5:62: blocklists[3].colour: unknown key",
                    "/etc/mamori/mamori.yaml:5:46: blocklists[3].action: an RPZ file says each name's action: no action key",
                ])
        }
        do {
            _ = try Configuration(
                yaml: """
                    blocklists:
                      - { name: ads, file: ads.txt, format: domains }
                      - { name: ads, file: ads.txt, format: hosts }
                    """, file: "/etc/mamori/mamori.yaml", baseDirectory: base)
            Issue.record("expected an error")
        } catch {
            #expect(
                error.diagnostics.map(\.description) == [
                    "/etc/mamori/mamori.yaml:3:5: blocklists[1].name: \"ads\" names an earlier list too"
                ])
        }
    }
}
