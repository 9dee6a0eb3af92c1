// Primary responsibilities: the canonical RRset form and signed data (RFC 4034 §3.1.8.1, §6.2, §6.3, RFC 4035
// §5.3.2) checked byte for byte against RFC 6605 §6.1 and against hand-built expectations.

import DNSSEC
import DNSWire
import Testing

@Suite("Canonical RRset form")
struct CanonicalFormTests {
    /// The RFC 6605 §6.1 example: the signed data is the RRSIG prefix then `www.example.net. A 192.0.2.1`.
    @Test func signedDataMatchesRFC6605Example() throws {
        let zone = try Zone(text: PublishedVectors.rfc6605P256, origin: "example.net.")
        let rrset = try zone.rrset("www", .a)
        let rrsig = try #require(rrset.signatures.first)
        let expected = hex(
            """
            0001 0d 03 00000e10 4c88b137 4c63c737 d960 076578616d706c65036e657400
            03777777076578616d706c65036e657400 0001 0001 00000e10 0004 c0000201
            """)
        #expect(rrset.signedData(for: rrsig) == expected)
    }

    /// RFC 4034 §6.2, §6.3: owner lowercased, RDATA sorted as octet strings, duplicates removed, the RRSIG's
    /// Original TTL written instead of the received TTL.
    @Test func sortsDeduplicatesLowercasesAndUsesOriginalTTL() throws {
        let rrset = RRSet(
            name: "WwW.Example.", type: .a, ttl: 5,
            rdatas: [.a(A(address: 0xC000_0202)), .a(A(address: 0xC000_0201)), .a(A(address: 0xC000_0202))])
        let bytes = rrset.canonicalRecords(labels: 2, originalTTL: 3600)
        let owner: [UInt8] = [3, 0x77, 0x77, 0x77, 7] + Array("example".utf8) + [0]
        let header: [UInt8] = owner + [0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4]
        #expect(bytes == header + [192, 0, 2, 1] + header + [192, 0, 2, 2])
    }

    /// RFC 4034 §6.3: a shorter RDATA that is a prefix of a longer one sorts first.
    @Test func shorterPrefixSortsFirst() throws {
        let rrset = RRSet(
            name: "t.example.", type: .txt, ttl: 60,
            rdatas: [.txt(TXT(strings: [[0x61], [0x62]])), .txt(TXT(strings: [[0x61]]))])
        let bytes = rrset.canonicalRecords(labels: 2, originalTTL: 60)
        let header = rrset.signedOwnerWireBytes(labels: 2) + [0, 16, 0, 1, 0, 0, 0, 60]
        #expect(bytes == header + [0, 2, 1, 0x61] + header + [0, 4, 1, 0x61, 1, 0x62])
    }

    /// RFC 4035 §5.3.2: with fewer RRSIG labels than owner labels, the owner is `*.` + the rightmost labels.
    @Test func wildcardOwnerIsRebuiltFromLabels() throws {
        let rrset = RRSet(name: "a.b.Example.", type: .a, ttl: 60, rdatas: [.a(A(address: 1))])
        let expected: [UInt8] = [1, 0x2A, 7] + Array("example".utf8) + [0]
        #expect(rrset.signedOwnerWireBytes(labels: 1) == expected)
        #expect(rrset.signedOwnerWireBytes(labels: 3) == [1, 0x61, 1, 0x62, 7] + Array("example".utf8) + [0])
        // A Labels field larger than the owner's count leaves the owner alone (the validator rejects it).
        #expect(rrset.signedOwnerWireBytes(labels: 9) == rrset.signedOwnerWireBytes(labels: 3))
    }

    /// RFC 6840 §5.1: names inside RDATA of the listed types are lowercased (NS), NSEC's next name is not.
    @Test func embeddedNamesFollowRFC6840() throws {
        let ns = RRSet(name: "example.", type: .ns, ttl: 60, rdatas: [.ns(NS(nameServer: "NS1.Example."))])
        let nsBytes = ns.canonicalRecords(labels: 1, originalTTL: 60)
        #expect(nsBytes.suffix(13) == [3, 0x6E, 0x73, 0x31, 7] + Array("example".utf8) + [0])
        let nsec = RRSet(
            name: "a.example.", type: .nsec, ttl: 60,
            rdatas: [.nsec(NSEC(nextDomainName: "B.example.", types: TypeBitmap([.a])))])
        let nsecBytes = nsec.canonicalRecords(labels: 2, originalTTL: 60)
        #expect(nsecBytes.contains(0x42))
    }
}
