// Primary responsibilities: the `rebinding-protection` and `dns64` keys — defaults, values, and
// errors naming file, line and key (a bad prefix length, the u octet, a network of the wrong family).

import AddressPolicy
import DNSWire
import MamoriConfiguration
import Testing

@Suite("rebinding-protection and dns64")
struct AddressPolicyKeysTests {
    @Test("defaults: rebinding protection off with nothing allowed, DNS64 off")
    func defaults() throws {
        let configuration = try StubZoneKeysTests.decode("resolution: { ipv6: true }").get()
        #expect(!configuration.rebindingProtection.enabled && configuration.rebindingProtection.allow.isEmpty)
        #expect(configuration.dns64 == nil)
    }

    @Test("values: allow list, prefix of each RFC 6052 length, exclusions")
    func values() throws {
        let configuration = try StubZoneKeysTests.decode(
            """
            rebinding-protection: { enabled: true, allow: [lan, "home.arpa."] }
            dns64:
              prefix: "2001:db8:122::/48"
              exclude: ["::ffff:0:0/96", "2001:db8:dead::/48"]
              exclude-ipv4: ["10.0.0.0/8"]
            """
        ).get()
        #expect(configuration.rebindingProtection.enabled)
        #expect(configuration.rebindingProtection.allow == [try DomainName("lan."), try DomainName("home.arpa.")])
        let dns64 = try #require(configuration.dns64)
        #expect(dns64.prefix.description == "2001:db8:122::/48")
        #expect(dns64.exclude.map(\.description) == ["::ffff:0.0.0.0/96", "2001:db8:dead::/48"])
        #expect(dns64.excludeIPv4.map(\.description) == ["10.0.0.0/8"])
        let plain = try #require(try StubZoneKeysTests.decode(#"dns64: { prefix: "64:ff9b::/96" }"#).get().dns64)
        #expect(plain.prefix == .wellKnown && plain.exclude == DNS64Synthesis.defaultExcludedIPv6)
        #expect(plain.excludeIPv4.isEmpty)
    }

    @Test("errors name the file, line and key")
    func errors() throws {
        guard
            case .failure(let error) = StubZoneKeysTests.decode(
                """
                rebinding-protection: { enabled: maybe, allow: ["bad..name"], block: [] }
                dns64:
                  prefix: "2001:db8::/33"
                  exclude: ["10.0.0.0/8"]
                  exclude-ipv4: ["::/0"]
                """)
        else {
            Issue.record("accepted")
            return
        }
        let found = error.diagnostics.map { "\($0.line) \($0.keyPath)" }
        #expect(
            found == [
                "1 rebinding-protection.enabled", "1 rebinding-protection.allow[0]", "1 rebinding-protection.block",
                "3 dns64.prefix", "4 dns64.exclude[0]", "5 dns64.exclude-ipv4[0]",
            ])
        #expect(error.diagnostics[3].message.contains("RFC 6052 §2.2"))
        guard case .failure(let uOctet) = StubZoneKeysTests.decode(#"dns64: { prefix: "2001:db8:0:0:ff00::/96" }"#)
        else {
            Issue.record("accepted a prefix with the u octet set")
            return
        }
        #expect(uOctet.diagnostics.map(\.keyPath) == ["dns64.prefix"])
        guard case .failure(let missing) = StubZoneKeysTests.decode("dns64: { exclude: [] }") else {
            Issue.record("accepted dns64 without a prefix")
            return
        }
        #expect(
            missing.diagnostics.map { "\($0.line) \($0.keyPath): \($0.message)" } == ["1 dns64: missing key prefix"])
    }
}
