// Primary responsibilities: presentation format — each type's RDATA text as printed, the zone-file
// scanner and parser features (comments, quotes, escapes, parentheses, $ORIGIN, $TTL, omitted
// fields, generic RDATA), errors naming line and column, and the repository's own hint and anchor files.

import DNSWire
import Testing

/// Printing and parsing zone-file text.
@Suite struct PresentationTests {
    /// Parses one record line relative to `example.`.
    static func parse(_ line: String) throws -> Record { try Record(presentation: line, origin: "example.") }

    /// The RDATA text of one record line after a parse, printed back.
    static func reprint(_ line: String) throws -> String { try parse(line).rdata.presentation }

    /// Each type prints as dig and the RFCs show it, and parses back to the same value.
    @Test(arguments: [
        ("@ 300 IN A 192.0.2.1", "192.0.2.1"),
        ("@ 300 IN AAAA 2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("@ 300 IN AAAA ::", "::"),
        ("@ 300 IN AAAA 0:0:0:0:0:0:0:1", "::1"),
        ("@ 300 IN AAAA 2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("@ 300 IN AAAA 2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("@ 300 IN AAAA 2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("@ 300 IN AAAA ::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("@ 300 IN NS ns1", "ns1.example."),
        ("@ 300 IN CNAME target.example.net.", "target.example.net."),
        ("@ 300 IN PTR @", "example."),
        ("@ 300 IN DNAME other.", "other."),
        (
            "@ 300 IN SOA ns1 hostmaster 2024010101 1h 15m 2w 300",
            "ns1.example. hostmaster.example. 2024010101 3600 900 1209600 300"
        ),
        ("@ 300 IN MX 10 mail", "10 mail.example."),
        (
            ##"@ 300 IN TXT "hello world" unquoted "a\"b\\c" "\009;" """##,
            ##""hello world" "unquoted" "a\"b\\c" "\009;" """##
        ),
        ("@ 300 IN SRV 0 5 5060 sip", "0 5 5060 sip.example."),
        (
            "@ 300 IN DS 60485 5 1 ( 2BB183AF5F22588179A5 3B0A98631FAD1A292118 )",
            "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"
        ),
        ("@ 300 IN CDS 0 0 0 00", "0 0 0 00"),
        ("@ 300 IN DNSKEY 257 3 ECDSAP256SHA256 AQID", "257 3 13 AQID"),
        ("@ 300 IN CDNSKEY 0 3 0 AA==", "0 3 0 AA=="),
        (
            "@ 86400 IN RRSIG A 5 3 86400 20030322173103 ( 1045762263 2642 example.com. AQID )",
            "A 5 3 86400 20030322173103 20030220173103 2642 example.com. AQID"
        ),
        ("@ 300 IN NSEC host.example.com. ( A MX RRSIG NSEC TYPE1234 )", "host.example.com. A MX RRSIG NSEC TYPE1234"),
        ("@ 300 IN NSEC next.", "next."),
        (
            "@ 300 IN NSEC3 1 1 12 aabbccdd ( 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG )",
            "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS SOA MX RRSIG DNSKEY NSEC3PARAM"
        ),
        ("@ 300 IN NSEC3 1 0 0 - 00", "1 0 0 - 00"),
        ("@ 300 IN NSEC3PARAM 1 0 12 aabbccdd", "1 0 12 AABBCCDD"),
        ("@ 300 IN NSEC3PARAM 1 0 0 -", "1 0 0 -"),
        ("@ 300 IN TLSA 3 1 1 0123456789abcdef", "3 1 1 0123456789ABCDEF"),
        (##"@ 300 IN CAA 0 issue "ca.example""##, ##"0 issue "ca.example""##),
        (##"@ 300 IN CAA 128 tbs Unknown"##, ##"128 tbs "Unknown""##),
        (
            ##"@ 300 IN SVCB 1 svc mandatory=alpn,ipv4hint alpn="h2,h3" no-default-alpn port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AQID ipv6hint=2001:db8::1 key65333=ex"##,
            ##"1 svc.example. mandatory=alpn,ipv4hint alpn="h2,h3" no-default-alpn port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AQID ipv6hint=2001:db8::1 key65333="ex""##
        ),
        (##"@ 300 IN HTTPS 1 . key667="hello\210qoo" port=53"##, ##"1 . port=53 key667="hello\210qoo""##),
        (##"@ 300 IN HTTPS 1 . alpn="f\\\\oo\\,bar,h2""##, ##"1 . alpn="f\\\\oo\\,bar,h2""##),
        ("@ 300 IN HTTPS 0 alias.example.net.", "0 alias.example.net."),
        (##"@ 300 IN TYPE65280 \# 3 abcdef"##, ##"\# 3 ABCDEF"##),
        (##"@ 300 IN HINFO \# 7 03637075026f73"##, ##"\# 7 03637075026F73"##),
        (##"@ 300 IN TYPE65280 \# 0"##, ##"\# 0"##),
    ])
    func typedText(line: String, printed: String) throws {
        let record = try Self.parse(line)
        #expect(record.rdata.presentation == printed)
        #expect(try Self.parse("@ \(record.ttl) \(record.rrClass) \(record.type) \(printed)") == record)
        #expect(try Record(presentation: record.description) == record)
    }

    /// The RFC 9460 Appendix D.2 escaped alpn decodes to the protocol IDs `f\oo,bar` and `h2`.
    @Test func svcbEscapedAlpnWireValue() throws {
        guard case .https(let value) = try Self.parse(##"@ 300 IN HTTPS 1 . alpn="f\\\\oo\\,bar,h2""##).rdata else {
            Issue.record("not HTTPS")
            return
        }
        #expect(
            value.parameters == [SVCB.Parameter(key: 1, value: [8] + Array(##"f\oo,bar"##.utf8) + [2, 0x68, 0x32])])
    }

    /// RRSIG times: RFC 4034 §3.2's two forms give the same value; the extremes print and parse.
    @Test func rrsigTimes() throws {
        #expect(DNSTime.parse(Array("20030322173103".utf8)) == 1_048_354_263)
        #expect(DNSTime.parse(Array("1048354263".utf8)) == 1_048_354_263)
        #expect(DNSTime.format(1_048_354_263) == "20030322173103")
        #expect(DNSTime.format(0) == "19700101000000")
        #expect(DNSTime.format(UInt32.max) == "21060207062815")
        #expect(DNSTime.parse(Array("21060207062815".utf8)) == UInt32.max)
        #expect(DNSTime.parse(Array("21060207062816".utf8)) == nil)
        #expect(DNSTime.parse(Array("20240230000000".utf8)) == nil)
        #expect(DNSTime.format(951_782_400) == "20000229000000")
        #expect(DNSTime.parse(Array("4294967296".utf8)) == nil)
    }

    /// The encodings, against RFC 4648 §10 test vectors.
    @Test func baseEncodings() {
        let vectors = ["", "f", "fo", "foo", "foob", "fooba", "foobar"]
        let base64 = ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"]
        let base32Hex = ["", "CO", "CPNG", "CPNMU", "CPNMUOG", "CPNMUOJ1", "CPNMUOJ1E8"]
        for (index, vector) in vectors.enumerated() {
            let bytes = Array(vector.utf8)
            #expect(BaseEncoding.base64(bytes) == base64[index])
            #expect(BaseEncoding.decodeBase64(Array(base64[index].utf8)) == bytes)
            #expect(BaseEncoding.base32Hex(bytes) == base32Hex[index])
            #expect(BaseEncoding.decodeBase32Hex(Array(base32Hex[index].lowercased().utf8)) == bytes)
        }
        #expect(BaseEncoding.decodeBase64(Array("Zm9=v".utf8)) == nil)
        #expect(BaseEncoding.decodeBase64(Array("Zg=".utf8)) == nil)
        #expect(BaseEncoding.decodeBase32Hex(Array("CP".utf8)) == nil)
        #expect(BaseEncoding.decodeBase32Hex(Array("W0".utf8)) == nil)
        #expect(BaseEncoding.hex([0x00, 0xAB, 0xFF]) == "00ABFF")
        #expect(BaseEncoding.decodeHex(Array("0g".utf8)) == nil)
    }

    /// A zone file with every scanner and parser feature.
    @Test func zoneFileFeatures() throws {
        let text = ##"""
            ; a comment line
            $ORIGIN example.
            $TTL 1h
            @   IN  SOA ns1 hostmaster ( 1 ; serial
                        7200 3600 1209600 300 )
                NS  ns1                     ; owner omitted: example.
            ns1 60 A 192.0.2.53             ; relative owner, class from before
            www CH 30 TXT "semi;colon" "paren(" "esc\"aped" \# ; a TXT with odd strings
            $ORIGIN sub
            host IN TYPE1 \# 4 C0000201     ; generic RDATA of a known type becomes typed
            *   CLASS32 TYPE65280 \# 2 ABCD
            \@odd\.label 5 IN A 192.0.2.7
            """##
        let records = try ZoneFileParser(text: text).records()
        #expect(
            records.map(\.description) == [
                "example. 3600 IN SOA ns1.example. hostmaster.example. 1 7200 3600 1209600 300",
                "example. 3600 IN NS ns1.example.",
                "ns1.example. 60 IN A 192.0.2.53",
                ##"www.example. 30 CH TXT "semi;colon" "paren(" "esc\"aped" "#""##,
                "host.sub.example. 3600 IN A 192.0.2.1",
                ##"*.sub.example. 3600 CLASS32 TYPE65280 \# 2 ABCD"##,
                ##"\@odd\.label.sub.example. 5 IN A 192.0.2.7"##,
            ])
        #expect(records[4].rdata == .a(A(192, 0, 2, 1)))
    }

    /// Without a TTL anywhere, a record falls back to the previous record's TTL, then is an error.
    @Test func ttlDefaults() throws {
        let records = try ZoneFileParser(text: "a. 7 A 192.0.2.1\nb. A 192.0.2.2\n").records()
        #expect(records.map(\.ttl) == [7, 7])
        #expect(try ZoneFileParser(text: "a. A 192.0.2.1", defaultTTL: 9).records().first?.ttl == 9)
        #expect(throws: DNSWireError(.badText, "")) { try ZoneFileParser(text: "a. A 192.0.2.1").records() }
    }

    /// Errors name the line and column of the offending token.
    @Test(arguments: [
        ("a. 1 IN A 192.0.2.1\n\nb. 1 IN DNSKEY 257 3 8 !!!!", "line 3, column 24: bad base64"),
        ("a. 1 IN A 300.0.0.1", "line 1, column 11: bad IPv4 address '300.0.0.1'"),
        ("a. 1 IN MX 10", "line 1, column 9: missing exchange"),
        ("a. 1 IN A 192.0.2.1 extra", "line 1, column 21: unexpected 'extra'"),
        ("a. 1 IN BOGUS x", "line 1, column 9: unknown type 'BOGUS'"),
        ("a. 1 IN TXT \"open", "line 1, column 13: quoted string not closed"),
        ("a. 1 IN SOA a. b. ( 1 2 3 4 5", "line 1, column 19: '(' is never closed"),
        ("a. 1 IN A 192.0.2.1 )", "line 1, column 21: unbalanced ')'"),
        ("$INCLUDE other.zone", "line 1, column 1: $INCLUDE is not supported"),
        ("  A 192.0.2.1", "line 1, column 3: no owner name and no previous record"),
        ("a. 1 IN NSEC3 1 0 0 - 0!", "line 1, column 23: bad base32hex '0!'"),
        (
            "a. 1 IN RRSIG A 8 1 1 20241301000000 20240101000000 1 a. AQID",
            "line 1, column 23: bad expiration time '20241301000000'"
        ),
        ("a. 1 IN A \\# 5 C0000201", "line 1, column 11: generic RDATA has 4 octets, length says 5"),
        ("a. 1 IN HINFO \"cpu\" \"os\"", "line 1, column 9: type HINFO takes only the generic form \\# LEN HEX"),
        ("a. 1 IN SVCB 1 . alpn", "line 1, column 18: alpn needs a value"),
        ("a. 1 IN SVCB 1 . port=1 port=2", "line 1, column 25: SvcParamKey port repeated"),
        ("a..b. 1 IN A 192.0.2.1", "line 1, column 1: bad owner name 'a..b.': empty label in a..b."),
    ])
    func errorsNameLineAndColumn(text: String, reason: String) {
        #expect {
            try ZoneFileParser(text: text).records()
        } throws: { error in
            guard let error = error as? DNSWireError else { return false }
            return error.code == .badText && error.reason == reason
        }
    }

    /// The repository's root hints and trust anchors parse (the files the daemon and DNSSEC use).
    @Test func repositoryHintsAndAnchorsParse() throws {
        let root = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).dropLast(3)
            .joined(separator: "/")
        let hints = try ZoneFileParser(
            text: String(decoding: try Fixtures.read(root + "/etc/root.hints"), as: UTF8.self)
        ).records()
        #expect(hints.filter { $0.type == .ns }.count == 13)
        #expect(hints.contains { $0.type == .aaaa })
        let anchors = try ZoneFileParser(
            text: String(decoding: try Fixtures.read(root + "/etc/root.keys"), as: UTF8.self), defaultTTL: 0
        ).records()
        let tags = anchors.compactMap { if case .ds(let ds) = $0.rdata { ds.keyTag } else { nil } }
        #expect(tags == [20326, 38696])
        let single = try Record(
            presentation: ".\tIN\tDS\t20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D")
        #expect(single == anchors[0])
    }

    /// RRsets print their members, then their RRSIGs; messages print like dig.
    @Test func rrsetAndMessageText() throws {
        let rrsig = RRSIG(
            typeCovered: .a, algorithm: .ecdsaP256SHA256, labels: 2, originalTTL: 300, expiration: 1_048_354_263,
            inception: 1_045_762_263, keyTag: 2642, signerName: "example.", signature: [1, 2, 3])
        let rrset = RRSet(name: "www.example.", type: .a, ttl: 300, rdatas: [.a(A(192, 0, 2, 1))], signatures: [rrsig])
        #expect(
            rrset.description == """
                www.example. 300 IN A 192.0.2.1
                www.example. 300 IN RRSIG A 13 2 300 20030322173103 20030220173103 2642 example. AQID
                """)
        var header = Header(id: 4242)
        header.isResponse = true
        header.recursionDesired = true
        header.recursionAvailable = true
        let message = Message(
            header: header, questions: [Question(name: "www.example.", type: .a)], answer: [rrset],
            edns: EDNS(dnssecOK: true, options: [.extendedDNSError(ExtendedDNSError(.dnssecBogus, "no key"))]),
            rcode: .servFail)
        #expect(
            message.description == """
                ;; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 4242
                ;; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1

                ;; OPT PSEUDOSECTION:
                ; EDNS: version: 0, flags: do; udp: 1232
                ; EDE: 6 (DNSSEC Bogus): (no key)
                ;; QUESTION SECTION:
                ;www.example. IN A

                ;; ANSWER SECTION:
                www.example. 300 IN A 192.0.2.1
                www.example. 300 IN RRSIG A 13 2 300 20030322173103 20030220173103 2642 example. AQID

                """)
    }

    /// Values no typed text can express fall back to the generic form and still round-trip.
    @Test func genericFallbacks() throws {
        let cases: [RData] = [
            .txt(TXT(strings: [])),
            .caa(CAA(flags: 0, tag: Array("bad tag".utf8), value: [])),
            .svcb(SVCB(priority: 1, target: .root, parameters: [SVCB.Parameter(key: 3, value: [1])])),
        ]
        for rdata in cases {
            let record = Record(name: "example.", ttl: 1, rdata: rdata)
            #expect(try Record(presentation: record.description) == record, "\(record)")
        }
        #expect(RData.txt(TXT(strings: [])).presentation == ##"\# 0"##)
        #expect(
            RData.svcb(SVCB(priority: 1, target: .root, parameters: [SVCB.Parameter(key: 3, value: [1])])).presentation
                == ##"1 . key3="\001""##)
    }
}
