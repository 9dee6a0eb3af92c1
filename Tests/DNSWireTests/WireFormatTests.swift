// Primary responsibilities: the wire rules of messages — compression where RFC 3597 §4 allows it
// and nowhere else, RDLENGTH enforced exactly, OPT placement (RFC 6891 §6.1.1), EDNS fields and
// options, the extended RCODE split, and truncation that drops whole RRsets (RFC 2181 §9).

import DNSWire
import Testing

/// Hand-built packets against the parser and the serialiser.
@Suite struct WireFormatTests {
    /// A response header with the given counts.
    static func header(questions: Int = 1, answers: Int = 0, authority: Int = 0, additional: Int = 0) -> [UInt8] {
        [0x12, 0x34, 0x84, 0x00] + [questions, answers, authority, additional].flatMap { [0, UInt8($0)] }
    }

    /// `example.` A IN as a question, the name at offset 12.
    static let question: [UInt8] = [7] + Array("example".utf8) + [0, 0, 1, 0, 1]

    /// A pointer to `example.` in the question.
    static let pointer: [UInt8] = [0xC0, 12]

    /// A record: owner bytes, type, class IN, TTL 300, RDATA with its length.
    static func record(_ owner: [UInt8], _ type: RRType, _ rdata: [UInt8], length: Int? = nil) -> [UInt8] {
        let count = length ?? rdata.count
        return owner + [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), 0, 1, 0, 0, 1, 0x2C]
            + [UInt8(count >> 8), UInt8(count & 0xFF)] + rdata
    }

    /// A one-answer message whose RDATA is `rdata`.
    static func answer(_ type: RRType, _ rdata: [UInt8], length: Int? = nil) -> [UInt8] {
        header(answers: 1) + question + record(pointer, type, rdata, length: length)
    }

    /// Names in NS, MX, SOA and SRV RDATA may arrive compressed (RFC 1035, RFC 3597 §4).
    @Test func decompressionAcceptedInRFC1035Types() throws {
        let www: [UInt8] = [3] + Array("www".utf8) + Self.pointer
        let cases: [(RRType, [UInt8], RData)] = [
            (.ns, www, .ns(NS(nameServer: "www.example."))),
            (.mx, [0, 10] + www, .mx(MX(preference: 10, exchange: "www.example."))),
            (.srv, [0, 1, 0, 2, 0, 53] + www, .srv(SRV(priority: 1, weight: 2, port: 53, target: "www.example."))),
            (
                .soa, www + Self.pointer + [UInt8](repeating: 0, count: 19) + [1],
                .soa(
                    SOA(
                        mname: "www.example.", rname: "example.", serial: 0, refresh: 0, retry: 0, expire: 0,
                        minimum: 1))
            ),
        ]
        for (type, rdata, expected) in cases {
            let message = try Message(parsing: Self.answer(type, rdata))
            #expect(message.answer.first?.rdatas == [expected], "\(type)")
        }
    }

    /// A compressed name inside RRSIG, NSEC, DNAME or SVCB RDATA is refused (RFC 3597 §4, RFC 4034
    /// §3.1.7 and §4.1.1, RFC 6672 §2.5, RFC 9460 §2.2).
    @Test func compressionRefusedInOtherTypes() {
        let rrsigFixed: [UInt8] = [0, 1, 13, 1, 0, 0, 0, 60, 0, 0, 0, 2, 0, 0, 0, 1, 0, 7]
        let cases: [(RRType, [UInt8])] = [
            (.rrsig, rrsigFixed + Self.pointer + [1, 2, 3]),
            (.nsec, Self.pointer + [0, 1, 0x40]),
            (.dname, Self.pointer),
            (.svcb, [0, 1] + Self.pointer),
            (.https, [0, 1] + Self.pointer),
        ]
        for (type, rdata) in cases {
            #expect(throws: DNSWireError(.compressionNotAllowed, ""), "\(type)") {
                try Message(parsing: Self.answer(type, rdata))
            }
        }
    }

    /// Compression pointers in a message: forward pointers and hops over the cap fail.
    @Test func compressionPointersInMessages() {
        // An owner pointing forward, at its own RDATA.
        var forward = Self.header(answers: 1) + Self.question
        forward += Self.record([0xC0, UInt8(forward.count + 12)], .a, [192, 0, 2, 1])
        #expect(throws: DNSWireError(.badPointer, "")) { try Message(parsing: forward) }
        // A pointer past the end of the message.
        #expect(throws: DNSWireError(.badPointer, "")) {
            try Message(parsing: Self.header(questions: 1) + [0xC0, 0xFF, 0, 1, 0, 1])
        }
    }

    /// RDLENGTH must match the RDATA exactly: longer or shorter is an error, as is running off the end.
    @Test func rdataLengthEnforcedExactly() throws {
        let mx: [UInt8] = [0, 10] + Self.pointer
        #expect(try Message(parsing: Self.answer(.mx, mx)).answer.count == 1)
        #expect(throws: DNSWireError(.rdataLengthMismatch, "")) {
            try Message(parsing: Self.answer(.mx, mx + [0], length: mx.count + 1))
        }
        #expect(throws: DNSWireError(.truncated, "")) { try Message(parsing: Self.answer(.mx, mx, length: 3)) }
        #expect(throws: DNSWireError(.truncated, "")) { try Message(parsing: Self.answer(.mx, mx, length: 9)) }
        #expect(throws: DNSWireError(.badRData, "")) { try Message(parsing: Self.answer(.a, [1, 2, 3, 4, 5])) }
        // DS with a digest: the digest is exactly what RDLENGTH leaves.
        let ds = try Message(parsing: Self.answer(.ds, [0x12, 0x34, 13, 2, 0xAA, 0xBB]))
        #expect(
            ds.answer.first?.rdatas == [
                .ds(
                    DS(
                        keyTag: 0x1234, algorithm: .ecdsaP256SHA256, digestType: .sha256,
                        digest: [0xAA, 0xBB]))
            ])
    }

    /// An OPT record (a root owner, RFC 6891 §6.1.1).
    static func opt(owner: [UInt8] = [0], rcodeHigh: UInt8 = 0, options: [UInt8] = []) -> [UInt8] {
        owner + [0, 41, 0x04, 0xD0, rcodeHigh, 0, 0x80, 0, UInt8(options.count >> 8), UInt8(options.count & 0xFF)]
            + options
    }

    /// OPT outside the additional section, twice, or not at the root is malformed.
    @Test func misplacedOPTIsAnError() {
        let inAnswer = Self.header(answers: 1) + Self.question + Self.opt()
        let twice = Self.header(additional: 2) + Self.question + Self.opt() + Self.opt()
        let notRoot = Self.header(additional: 1) + Self.question + Self.opt(owner: Self.pointer)
        for bytes in [inAnswer, twice, notRoot] {
            #expect(throws: DNSWireError(.badOPT, "")) { try Message(parsing: bytes) }
        }
        #expect(throws: Never.self) { try Message(parsing: Self.header(additional: 1) + Self.question + Self.opt()) }
    }

    /// EDNS fields and every option kind survive the round trip.
    @Test func ednsOptionsRoundTrip() throws {
        let edns = EDNS(
            udpPayloadSize: 1400, version: 0, dnssecOK: true, otherFlags: 0x0001,
            options: [
                .cookie(client: [1, 2, 3, 4, 5, 6, 7, 8], server: [UInt8](repeating: 9, count: 16)),
                .extendedDNSError(ExtendedDNSError(.signatureExpired, "RRSIG for example. expired")),
                .extendedDNSError(ExtendedDNSError(.noReachableAuthority)),
                .padding(17),
                .unknown(.nsid, Array("ns1".utf8)),
            ])
        let message = Message(questions: [Question(name: "example.", type: .a)], edns: edns)
        let bytes = try message.serialized()
        let parsed = try Message(parsing: bytes)
        #expect(parsed.edns == edns)
        #expect(parsed.edns?.cookie?.server.count == 16)
        #expect(parsed.edns?.extendedErrors.map(\.extraText) == ["RRSIG for example. expired", ""])
        // A NUL-padded EXTRA-TEXT is tolerated and decoded without the NULs (RFC 8914 §2).
        let padded =
            Self.header(additional: 1) + Self.question
            + Self.opt(options: [0, 15, 0, 6, 0, 6, 0x61, 0x62, 0, 0])
        #expect(try Message(parsing: padded).edns?.extendedErrors == [ExtendedDNSError(.dnssecBogus, "ab")])
    }

    /// An extended RCODE such as BADVERS (16) is split: low 4 bits in the header, high 8 in the OPT TTL.
    @Test func extendedRCodeIsSplit() throws {
        let message = Message(questions: [Question(name: "example.", type: .a)], edns: EDNS(), rcode: .badVers)
        let bytes = try message.serialized()
        #expect(bytes[3] & 0x0F == 0)
        let optTTLHigh = bytes[bytes.count - 6]
        #expect(optTTLHigh == 1)
        #expect(try Message(parsing: bytes).rcode == .badVers)
        let parsed = try Message(parsing: Self.header(additional: 1) + Self.question + Self.opt(rcodeHigh: 1))
        #expect(parsed.rcode == .badVers)
    }

    /// A message built for the truncation tests: an answer of `answers` A RRsets, NS in authority,
    /// glue in additional, EDNS.
    static func bigMessage(answers: Int) -> Message {
        let sets = (0..<answers).map { index in
            RRSet(
                name: try! DomainName(labels: [Array("host\(index)".utf8), Array("example".utf8)]), type: .a,
                ttl: 300, rdatas: [.a(A(192, 0, 2, UInt8(index % 256)))])
        }
        return Message(
            questions: [Question(name: "example.", type: .a)], answer: sets,
            authority: [RRSet(name: "example.", type: .ns, ttl: 300, rdatas: [.ns(NS(nameServer: "ns1.example."))])],
            additional: [RRSet(name: "ns1.example.", type: .a, ttl: 300, rdatas: [.a(A(192, 0, 2, 53))])],
            edns: EDNS(options: [.extendedDNSError(ExtendedDNSError(.other, "kept"))]))
    }

    /// Over the limit, whole RRsets are dropped from the end and TC set; OPT stays; the result parses.
    @Test func truncationDropsWholeRRsetsAndKeepsOPT() throws {
        let message = Self.bigMessage(answers: 60)
        let full = try message.serialized()
        #expect(full.count > 512)
        let truncated = try message.serialized(maxSize: 512)
        #expect(truncated.count <= 512)
        let parsed = try Message(parsing: truncated)
        #expect(parsed.header.truncated)
        #expect(parsed.edns == message.edns)
        #expect(parsed.answer.count < 60 && !parsed.answer.isEmpty)
        #expect(parsed.answer == Array(message.answer.prefix(parsed.answer.count)))
        #expect(parsed.authority.isEmpty && parsed.additional.isEmpty)
        // Signed sets are dropped together with their RRSIGs, never split.
        var signed = message
        signed.answer = signed.answer.map { set in
            var set = set
            set.signatures = [
                RRSIG(
                    typeCovered: .a, algorithm: .ed25519, labels: 2, originalTTL: 300, expiration: 2, inception: 1,
                    keyTag: 7, signerName: "example.", signature: [UInt8](repeating: 1, count: 64))
            ]
            return set
        }
        let signedParsed = try Message(parsing: try signed.serialized(maxSize: 700))
        #expect(signedParsed.answer.allSatisfy { $0.signatures.count == 1 })
    }

    /// When only additional data does not fit, it is dropped without TC (RFC 2181 §9).
    @Test func additionalOnlyOverflowDoesNotSetTC() throws {
        var message = Self.bigMessage(answers: 2)
        message.additional = (0..<40).map { index in
            RRSet(
                name: try! DomainName(labels: [Array("glue\(index)".utf8), Array("example".utf8)]), type: .aaaa,
                ttl: 300, rdatas: [.aaaa(AAAA(high: 0x2001_0DB8_0000_0000, low: UInt64(index)))])
        }
        let bytes = try message.serialized(maxSize: 512)
        let parsed = try Message(parsing: bytes)
        #expect(!parsed.header.truncated)
        #expect(parsed.answer == message.answer)
        #expect(parsed.authority == message.authority)
        #expect(parsed.additional.count < 40)
        #expect(parsed.edns == message.edns)
    }

    /// Names are compressed on output against earlier owners and question names; a later name equal to
    /// an earlier one costs two octets.
    @Test func serialiserCompressesNames() throws {
        let message = Self.bigMessage(answers: 3)
        let bytes = try message.serialized()
        // host0.example. after the question's example. is `host0` + pointer: 6 + 2 octets.
        let owner = bytes[(12 + Self.question.count)..<(12 + Self.question.count + 8)]
        #expect(Array(owner) == [5] + Array("host0".utf8) + [0xC0, 12])
    }
}
