// Primary responsibilities: the address types the configuration and the listeners share —
// ADDR@PORT service addresses and CIDR networks, IPv4-mapped clients matched as IPv4.

import DNSWire
import Testing

@Suite("Addresses and networks")
struct AddressTests {
    @Test("ADDR@PORT with IPv4, IPv6 literals, brackets and the default port")
    func serviceAddresses() {
        #expect(ServiceAddress("127.0.0.1@53")?.host == .loopbackV4)
        #expect(ServiceAddress("::1@5353") == ServiceAddress(host: .loopbackV6, port: 5353))
        #expect(ServiceAddress("[fe80::1]@853")?.port == 853)
        #expect(ServiceAddress("2001:db8::1")?.port == 53)
        #expect(ServiceAddress("2001:db8::1@")?.port == nil)
        #expect(ServiceAddress("1.2.3.4@0") == nil)
        #expect(ServiceAddress("1.2.3.4@65536") == nil)
        #expect(ServiceAddress("example.com@53") == nil)
        #expect(ServiceAddress("::ffff:192.0.2.1@53")?.host.unmapped == IPAddress("192.0.2.1"))
        #expect(IPAddress("2001:DB8:0:0:0:0:0:1")?.description == "2001:db8::1")
    }

    @Test("CIDR networks match their members only, IPv4-mapped clients as IPv4")
    func networks() throws {
        let loopback = try #require(IPNetwork("127.0.0.0/8"))
        #expect(loopback.contains(IPAddress("127.255.0.1")!))
        #expect(!loopback.contains(IPAddress("128.0.0.1")!))
        #expect(loopback.contains(IPAddress("::ffff:127.0.0.1")!))
        #expect(!loopback.contains(.loopbackV6))
        let documentation = try #require(IPNetwork("2001:db8::1/32"))
        #expect(documentation.description == "2001:db8::/32")
        #expect(documentation.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!documentation.contains(IPAddress("2001:db9::1")!))
        #expect(IPNetwork("::/0")!.contains(IPAddress("fe80::1")!))
        #expect(IPNetwork("0.0.0.0/0")!.contains(IPAddress("203.0.113.9")!))
        #expect(IPNetwork("2001:db8::/65")!.contains(IPAddress("2001:db8::7fff:ffff:ffff:ffff")!))
        #expect(!IPNetwork("2001:db8::/65")!.contains(IPAddress("2001:db8::8000:0:0:0")!))
        #expect(IPNetwork("192.0.2.1") == IPNetwork("192.0.2.1/32"))
        #expect(IPNetwork("10.0.0.0/33") == nil && IPNetwork("::/129") == nil && IPNetwork("10.0.0.0/x") == nil)
    }
}
