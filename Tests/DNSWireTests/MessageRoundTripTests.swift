import DNSWire
import Testing

/// Round trips of messages built in code: what is serialised parses back to the same values.
@Suite struct MessageRoundTripTests {
    /// A referral-shaped response with glue and EDNS survives serialise → parse unchanged.
    @Test func referralRoundTrips() throws {
        var header = Header(id: 0xBEEF)
        header.isResponse = true
        let message = Message(
            header: header,
            questions: [Question(name: "www.example.com.", type: .a)],
            authority: [
                RRSet(
                    name: "example.com.", type: .ns, ttl: 172800,
                    rdatas: [.ns(NS(nameServer: "a.iana-servers.net.")), .ns(NS(nameServer: "ns1.example.com."))])
            ],
            additional: [RRSet(name: "ns1.example.com.", type: .a, ttl: 172800, rdatas: [.a(A(192, 0, 2, 1))])],
            edns: EDNS(udpPayloadSize: 1232, dnssecOK: true))
        let bytes = try message.serialized()
        let parsed = try Message(parsing: bytes)
        #expect(parsed == message)
        #expect(try parsed.serialized() == bytes)
    }

    /// Names compare without regard to ASCII case but keep their case.
    @Test func namesFoldCase() throws {
        let upper: DomainName = "WWW.Example.COM."
        let lower: DomainName = "www.example.com."
        #expect(upper == lower)
        #expect(upper.hashValue == lower.hashValue)
        #expect(upper.description == "WWW.Example.COM.")
        #expect(!upper.isIdentical(to: lower))
    }
}
