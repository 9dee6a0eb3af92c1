// Primary responsibilities: the `resolution.stub-zones` key — its items, the port default, the
// `insecure` flag as a negative trust anchor, and the errors: a bad address, a missing key, a stub
// zone naming the apex of a forward zone or of another stub zone.

import DNSWire
import MamoriConfiguration
import Resolver
import Testing

@Suite("resolution.stub-zones")
struct StubZoneKeysTests {
    /// The configuration of `yaml`, or the diagnostics that refused it.
    static func decode(_ yaml: String) -> Result<Configuration, ConfigurationError> {
        Result { try Configuration(yaml: yaml, file: "/etc/mamori/mamori.yaml", baseDirectory: "/etc/mamori") }
            .mapError { $0 as! ConfigurationError }
    }

    @Test("items: name, addresses with port 53 by default, insecure false by default; exposed for local zones")
    func items() throws {
        let configuration = try Self.decode(
            """
            resolution:
              stub-zones:
                - { name: lan, addresses: ["192.168.1.1", "192.168.1.2@5353"] }
                - { name: 168.192.in-addr.arpa., addresses: ["fd00::53"], insecure: true }
              forward-zones:
                - { name: corp.example., addresses: ["192.0.2.53"] }
            dnssec:
              negative-trust-anchors: [broken.example, 168.192.in-addr.arpa]
            """
        ).get()
        let zones = configuration.resolution.stubZones
        #expect(zones.map(\.zone) == [try DomainName("lan."), try DomainName("168.192.in-addr.arpa.")])
        #expect(zones[0].servers.map(\.description) == ["192.168.1.1@53", "192.168.1.2@5353"])
        #expect(zones[1].servers.map(\.description) == ["fd00::53@53"])
        #expect(!zones[0].insecure && zones[1].insecure)
        #expect(
            configuration.resolution.configuredZoneNames
                == [try DomainName("lan."), try DomainName("168.192.in-addr.arpa."), try DomainName("corp.example.")])
        // The flag adds the zone as an NTA, once even when also listed.
        #expect(
            configuration.negativeTrustAnchors
                == [try DomainName("broken.example."), try DomainName("168.192.in-addr.arpa.")])
    }

    @Test("no stub zones by default")
    func absent() throws {
        let configuration = try Self.decode("resolution: { ipv6: true }").get()
        #expect(configuration.resolution.stubZones.isEmpty)
        #expect(configuration.negativeTrustAnchors.isEmpty)
    }

    @Test("errors name the file, the line and the key: bad address, missing keys, bad flag, shared apex")
    func errors() throws {
        let yaml = """
            resolution:
              forward-zones:
                - { name: lan., addresses: ["192.0.2.53"] }
              stub-zones:
                - { name: lan., addresses: ["192.168.1.1"] }
                - { name: home.arpa., addresses: ["192.168.1.300"] }
                - { addresses: [] }
                - { name: x.example., addresses: ["192.0.2.1"], insecure: maybe, port: 53 }
                - { name: y.example., addresses: ["192.0.2.1"] }
                - { name: Y.EXAMPLE, addresses: ["192.0.2.2"] }
            """
        guard case .failure(let error) = Self.decode(yaml) else {
            Issue.record("accepted")
            return
        }
        let found = error.diagnostics.map { "\($0.line) \($0.keyPath): \($0.message)" }
        #expect(error.diagnostics.allSatisfy { $0.file == "/etc/mamori/mamori.yaml" && $0.line > 0 })
        #expect(found.contains { $0.hasPrefix("6 resolution.stub-zones[1].addresses[0]: expected ADDRESS@PORT") })
        #expect(found.contains("7 resolution.stub-zones[2].addresses: expected at least one address"))
        #expect(found.contains("7 resolution.stub-zones[2]: missing key name"))
        #expect(found.contains { $0.hasPrefix("8 resolution.stub-zones[3].insecure: ") })
        #expect(found.contains { $0.hasPrefix("8 resolution.stub-zones[3].port: ") })
        // Shared apexes are checked once the rest is valid: a file with only those.
        let shared = """
            resolution:
              forward-zones:
                - { name: lan., addresses: ["192.0.2.53"] }
              stub-zones:
                - { name: lan., addresses: ["192.168.1.1"] }
                - { name: y.example., addresses: ["192.0.2.1"] }
                - { name: Y.EXAMPLE, addresses: ["192.0.2.2"] }
                - { name: sub.lan., addresses: ["192.168.1.2"] }
            """
        guard case .failure(let sharedError) = Self.decode(shared) else {
            Issue.record("accepted a stub zone with a forward zone's apex")
            return
        }
        #expect(
            sharedError.diagnostics.map { "\($0.line) \($0.keyPath): \($0.message)" } == [
                "5 resolution.stub-zones[0]: lan. is already configured by resolution.forward-zones[0]",
                "7 resolution.stub-zones[2]: Y.EXAMPLE. is already configured by resolution.stub-zones[1]",
            ])
    }
}
