// Primary responsibilities: the rebinding ranges (every range, its edges, the IPv4-mapped forms,
// the NAT64 embedding), the allow rule over CNAME chains, RFC 6052's embedding at every prefix
// length (the §2.4 table), and DNS64's synthesis rules.

import AddressPolicy
import DNSWire
import Testing

@Suite("Rebinding ranges")
struct NonPublicRangeTests {
    @Test(
        "non-public addresses are found with their rule, edges included",
        arguments: [
            ("10.0.0.0", "RFC 1918"), ("10.255.255.255", "RFC 1918"), ("172.16.0.1", "RFC 1918"),
            ("172.31.255.255", "RFC 1918"), ("192.168.1.5", "RFC 1918"), ("100.64.0.1", "RFC 6598"),
            ("100.127.255.255", "RFC 6598"), ("127.0.0.1", "RFC 1122, loopback"), ("127.255.0.1", "RFC 1122, loopback"),
            ("169.254.1.1", "RFC 3927, link-local"), ("0.0.0.0", "RFC 1122, this network"),
            ("::1", "RFC 4291, loopback"), ("::", "RFC 4291, unspecified"), ("fe80::1", "RFC 4291, link-local"),
            ("febf::1", "RFC 4291, link-local"), ("fc00::1", "RFC 4193"), ("fdff::1", "RFC 4193"),
            ("fec0::1", "RFC 3879, site-local"), ("::ffff:192.168.1.5", "RFC 1918"),
            ("::ffff:127.0.0.1", "RFC 1122, loopback"), ("64:ff9b::10.1.2.3", "RFC 1918"),
            ("64:ff9b::7f00:1", "RFC 1122, loopback"),
        ])
    func nonPublic(_ text: String, _ rule: String) throws {
        let address = try #require(IPAddress(text))
        #expect(NonPublicRange.rule(for: address)?.rule == rule)
    }

    @Test(
        "public addresses pass, next to the edges",
        arguments: [
            "9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0",
            "100.63.255.255", "100.128.0.0", "169.253.255.255", "1.0.0.0", "128.0.0.1", "8.8.8.8", "2001:4860::8888",
            "fbff::1", "fe00::1", "::2", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2001:db8::1",
        ])
    func publicAddress(_ text: String) throws {
        #expect(NonPublicRange.rule(for: try #require(IPAddress(text))) == nil)
    }
}

@Suite("Rebinding protection")
struct RebindingProtectionTests {
    static func rrset(_ owner: String, _ type: RRType, _ rdatas: [RData]) throws -> RRSet {
        RRSet(name: try DomainName(owner), type: type, ttl: 300, rdatas: rdatas)
    }

    @Test("a public name with a private address is withheld, naming the address and the rule")
    func withheld() throws {
        let rule = RebindingProtection(allowed: [try DomainName("lan.")])
        let answer = [try Self.rrset("x.example.", .a, [.a(A(192, 0, 2, 1)), .a(A(192, 168, 1, 5))])]
        let finding = try #require(rule.finding(in: answer, for: try DomainName("x.example.")))
        #expect(
            finding.description
                == "answer for x.example. contained 192.168.1.5 (RFC 1918), withheld by rebinding protection")
        #expect(
            rule.finding(in: [try Self.rrset("x.example.", .a, [.a(A(192, 0, 2, 1))])], for: finding.question) == nil)
    }

    @Test("allowed: the query name and every address owner at or below an allowed domain")
    func allowed() throws {
        let rule = RebindingProtection(allowed: [try DomainName("lan."), try DomainName("home.arpa.")])
        let printer = try Self.rrset("printer.lan.", .a, [.a(A(192, 168, 1, 10))])
        #expect(rule.finding(in: [printer], for: try DomainName("printer.lan.")) == nil)
        #expect(
            rule.finding(
                in: [try Self.rrset("lan.", .aaaa, [.aaaa(AAAA(octets: [0xFD] + Array(repeating: 0, count: 15))!)])],
                for: try DomainName("lan.")) == nil)
        // A CNAME from a public name into the allowed domain is the attack: withheld.
        let chain = [
            try Self.rrset("evil.example.", .cname, [.cname(CNAME(target: try DomainName("printer.lan.")))]), printer,
        ]
        let finding = try #require(rule.finding(in: chain, for: try DomainName("evil.example.")))
        #expect(finding.owner == (try DomainName("printer.lan.")))
        #expect(finding.description.contains("192.168.1.10 (at printer.lan.) (RFC 1918)"))
        // And one from an allowed name out to a public name's private address.
        let out = [
            try Self.rrset("nas.home.arpa.", .cname, [.cname(CNAME(target: try DomainName("nas.example.")))]),
            try Self.rrset("nas.example.", .a, [.a(A(10, 0, 0, 2))]),
        ]
        #expect(rule.finding(in: out, for: try DomainName("nas.home.arpa.")) != nil)
        // Nothing is allowed by a name that only ends like an allowed one.
        #expect(
            rule.finding(in: [try Self.rrset("plan.", .a, [.a(A(10, 0, 0, 1))])], for: try DomainName("plan.")) != nil)
    }
}

@Suite("RFC 6052 and DNS64")
struct DNS64Tests {
    /// RFC 6052 §2.4: 192.0.2.33 under each prefix length.
    @Test(
        "RFC 6052 §2.4 examples: embedding and extraction at every prefix length",
        arguments: [
            ("2001:db8::/32", "2001:db8:c000:221::"), ("2001:db8:100::/40", "2001:db8:1c0:2:21::"),
            ("2001:db8:122::/48", "2001:db8:122:c000:2:2100::"), ("2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"),
            ("2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"),
            ("2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33"), ("64:ff9b::/96", "64:ff9b::192.0.2.33"),
        ])
    func embedding(_ prefix: String, _ expected: String) throws {
        let network = try #require(IPNetwork(prefix))
        let nat64 = try #require(NAT64Prefix(network))
        let embedded = nat64.embed(A(192, 0, 2, 33))
        #expect(IPAddress(embedded) == IPAddress(expected))
        #expect(nat64.extract(embedded) == A(192, 0, 2, 33))
    }

    @Test(
        "prefixes: only RFC 6052 lengths, IPv6, and the u octet clear",
        arguments: [
            "2001:db8::/33", "2001:db8::/128", "10.0.0.0/8", "2001:db8:0:0:ff00::/96", "2001:db8::/0",
        ])
    func badPrefix(_ text: String) throws {
        let network = try #require(IPNetwork(text))
        #expect(NAT64Prefix(network) == nil)
    }

    @Test("synthesis wanted for NODATA, only excluded AAAA, SERVFAIL; not for NXDOMAIN or real AAAA")
    func wanted() throws {
        let dns64 = DNS64Synthesis(prefix: .wellKnown)
        let name = try DomainName("v4only.example.")
        let mapped = RRSet(name: name, type: .aaaa, ttl: 60, rdatas: [.aaaa(AAAA(high: 0, low: 0xFFFF_C000_0201))])
        let real = RRSet(name: name, type: .aaaa, ttl: 60, rdatas: [.aaaa(AAAA(high: 0x2001_0DB8 << 32, low: 1))])
        #expect(dns64.wantsSynthesis(rcode: .noError, answer: []))
        #expect(dns64.wantsSynthesis(rcode: .noError, answer: [mapped]))
        #expect(dns64.wantsSynthesis(rcode: .servFail, answer: []))
        #expect(!dns64.wantsSynthesis(rcode: .nxDomain, answer: []))
        #expect(!dns64.wantsSynthesis(rcode: .noError, answer: [real]))
        #expect(!dns64.wantsSynthesis(rcode: .noError, answer: [mapped, real]))
        #expect(!DNS64Synthesis(prefix: .wellKnown, excludedIPv6: []).wantsSynthesis(rcode: .noError, answer: [mapped]))
    }

    @Test("synthesised records: CNAME kept, A under the prefix, TTL min(A, negative TTL or 600), A exclusions")
    func synthesised() throws {
        let dns64 = DNS64Synthesis(prefix: .wellKnown, excludedIPv4: [try #require(IPNetwork("10.0.0.0/8"))])
        let alias = try DomainName("www.example.")
        let target = try DomainName("v4.example.")
        let answer = [
            RRSet(name: alias, type: .cname, ttl: 3600, rdatas: [.cname(CNAME(target: target))]),
            RRSet(name: target, type: .a, ttl: 900, rdatas: [.a(A(192, 0, 2, 33)), .a(A(10, 1, 1, 1))]),
        ]
        let made = dns64.synthesised(from: answer, negativeTTL: 300)
        #expect(made.map(\.type) == [.cname, .aaaa])
        #expect(made[1].name == target && made[1].ttl == 300)
        #expect(made[1].rdatas == [.aaaa(AAAA(octets: IPAddress("64:ff9b::c000:221")!.bytes)!)])
        #expect(dns64.synthesised(from: answer, negativeTTL: nil)[1].ttl == 600)
        #expect(dns64.synthesised(from: answer, negativeTTL: 7200)[1].ttl == 900)
        let excludedOnly = [RRSet(name: target, type: .a, ttl: 900, rdatas: [.a(A(10, 1, 1, 1))])]
        #expect(dns64.synthesised(from: excludedOnly, negativeTTL: 300).isEmpty)
    }
}
