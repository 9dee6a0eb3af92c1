// Primary responsibilities: the `local` section — data lines with their YAML line, zones, hosts
// files, served-zones — its defaults, and its errors: a bad data line, a record the table refuses
// (at its line), a bad zone type, a repeated zone, an unreadable hosts file.

import DNSWire
import Foundation
import LocalZones
import MamoriConfiguration
import Testing

@Suite("local")
struct LocalKeysTests {
    /// The configuration of `yaml`, or the diagnostics that refused it.
    static func decode(_ yaml: String) -> Result<Configuration, ConfigurationError> {
        Result { try Configuration(yaml: yaml, file: "/etc/mamori/mamori.yaml", baseDirectory: "/etc/mamori") }
            .mapError { $0 as! ConfigurationError }
    }

    /// The diagnostics of `yaml` as `line keyPath: message`.
    static func problems(_ yaml: String) -> [String] {
        guard case .failure(let error) = decode(yaml) else { return ["accepted"] }
        #expect(error.diagnostics.allSatisfy { $0.file == "/etc/mamori/mamori.yaml" })
        return error.diagnostics.map { "\($0.line) \($0.keyPath): \($0.message)" }
    }

    @Test("defaults: no data, zones or hosts files; the served zones on")
    func defaults() {
        let local = Configuration().local
        #expect(local.data.isEmpty && local.zones.isEmpty && local.hostsFiles.isEmpty && local.servedZones)
    }

    @Test("data lines keep the file and YAML line; zones, hosts files and served-zones are read")
    func items() throws {
        let hosts = NSTemporaryDirectory() + "mamori-local-keys-\(UUID().uuidString)"
        try "192.168.1.10 printer\n".write(toFile: hosts, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: hosts) }
        let configuration = try Self.decode(
            """
            local:
              data:
                - "printer.home.arpa. 300 IN A 192.168.1.10"
                - 'nas.home.arpa TXT "in the cupboard"'
              zones:
                - { name: corp.example., type: static }
                - { name: ads.example, type: always-nxdomain }
              hosts-files: [\(hosts)]
              served-zones: false
            """
        ).get()
        let local = configuration.local
        #expect(
            local.data.map { "\($0.line) \($0.record)" } == [
                "3 printer.home.arpa. 300 IN A 192.168.1.10", "4 nas.home.arpa. 3600 IN TXT \"in the cupboard\"",
            ])
        #expect(local.data.allSatisfy { $0.source == "/etc/mamori/mamori.yaml" })
        #expect(
            local.zones == [
                LocalZone(name: "corp.example.", type: .static), LocalZone(name: "ads.example.", type: .alwaysNXDOMAIN),
            ])
        #expect(local.hostsFiles == [hosts])
        #expect(!local.servedZones)
    }

    @Test("errors name the line and key: a bad record, a bad type, a repeated zone, an unreadable file")
    func errors() {
        let found = Self.problems(
            """
            local:
              data:
                - "printer.home.arpa. 300 IN A 192.168.1.300"
                - { name: x }
              zones:
                - { name: corp.example., type: opaque }
                - { name: a.example., type: static }
                - { name: A.EXAMPLE, type: refuse }
                - { type: static }
              hosts-files: [/nonexistent/mamori-hosts]
              served-zones: maybe
            """)
        #expect(found.contains { $0.hasPrefix("3 local.data[0]: bad record: ") })
        #expect(found.contains { $0.hasPrefix("4 local.data[1]: expected a zone-file line") })
        #expect(
            found.contains {
                $0.hasPrefix("6 local.zones[0].type: expected static, transparent, redirect, refuse or always-nxdomain")
            })
        #expect(found.contains("8 local.zones[2].name: A.EXAMPLE. names an earlier zone too"))
        #expect(found.contains("9 local.zones[3]: missing key name"))
        #expect(
            found.contains("10 local.hosts-files[0]: cannot read /nonexistent/mamori-hosts: No such file or directory"))
        #expect(found.contains { $0.hasPrefix("11 local.served-zones: expected a boolean") })
    }

    @Test("a record the table refuses is reported at its own line")
    func refusedRecord() {
        #expect(
            Self.problems(
                """
                local:
                  data:
                    - "www.lan. 300 IN A 192.168.1.2"
                    - "www.lan. 300 IN CNAME server.lan."
                """) == ["4 local.data[1]: www.lan. has a CNAME and A data: a CNAME stands alone (RFC 2181 §10.1)"])
        #expect(
            Self.problems(
                """
                local:
                  zones: [{ name: walled.example., type: redirect }]
                  data: ["x.walled.example. A 192.0.2.1"]
                """
            ).first?.hasPrefix("3 local.data[0]: x.walled.example. is below the redirect zone") == true)
    }
}
