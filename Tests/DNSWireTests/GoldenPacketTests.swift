// Primary responsibilities: real responses and queries captured from NSD, Knot and Unbound in the
// lab (Tests/Fixtures/packets/*.hex) must parse, and serialise back byte for byte — or, where the
// server made a compression choice we do not make, value for value — with the shapes a resolver
// relies on (referral glue, grouped RRSIGs, NSEC3 denial, EDE on SERVFAIL).

import DNSWire
import Testing

/// Golden packets: parse ∘ serialise against captures from real servers.
@Suite struct GoldenPacketTests {
    /// The packets folder, found from this file's path.
    static let folder: String = {
        let tests = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).dropLast(2)
        return tests.joined(separator: "/") + "/Fixtures/packets"
    }()

    /// Packets that round-trip value for value only, and why. Every other packet must come back
    /// byte for byte: our serialiser makes the same choices (owner names compressed to the longest
    /// earlier suffix, RRsets in order, RRSIGs after their set) as NSD and Unbound do there.
    static let valueOnly: [String: String] = [
        "srv.hex":
            "NSD does not point into SRV RDATA: the glue owner www.nsec.lab. is written as `www` + pointer "
            + "to nsec.lab., where we point at the SRV target's uncompressed copy (RFC 3597 §4 lets us "
            + "use it as a target; it is never compressed itself).",
        "dname.hex":
            "NSD does not point into DNAME RDATA: the CNAME target www.alg13.lab. is `www alg13` + pointer "
            + "to lab., where we point at the DNAME target alg13.lab.",
    ]

    /// A packet from the folder.
    struct Packet {
        /// The file name.
        var name: String
        /// The message bytes.
        var bytes: [UInt8]
    }

    /// Reads every `.hex` file: `;` lines are comments, the rest is hex.
    static func packets() throws -> [Packet] {
        try Fixtures.list(folder).filter { $0.hasSuffix(".hex") }.map { name in
            let text = try Fixtures.read(folder + "/" + name)
            var hex: [UInt8] = []
            for line in text.split(separator: 0x0A) where line.first != 0x3B {
                hex += line.filter { $0 > 0x20 }
            }
            guard let bytes = BaseEncoding.decodeHex(hex) else {
                throw Fixtures.ReadError(description: "\(name) is not hex")
            }
            return Packet(name: name, bytes: bytes)
        }
    }

    /// One packet by name.
    static func packet(_ name: String) throws -> Message {
        let found = try #require(try packets().first { $0.name == name }, "missing fixture \(name)")
        return try Message(parsing: found.bytes)
    }

    /// Every packet parses and round-trips, byte for byte unless listed in ``valueOnly``.
    @Test func everyPacketRoundTrips() throws {
        let packets = try Self.packets()
        #expect(packets.count >= 20, "the golden packets folder looks empty")
        var byteForByte = 0
        for packet in packets {
            let message = try Message(parsing: packet.bytes)
            let serialised = try message.serialized()
            #expect(try Message(parsing: serialised) == message, "\(packet.name) changed value")
            if let reason = Self.valueOnly[packet.name] {
                // Listed packets must really differ, or the table is stale.
                #expect(serialised != packet.bytes, "\(packet.name) now round-trips byte for byte: \(reason)")
            } else {
                #expect(serialised == packet.bytes, "\(packet.name) differs from the capture")
                byteForByte += 1
            }
            // Presentation text of every record parses back to the record.
            for rrset in message.answer + message.authority + message.additional {
                for record in rrset.records + rrset.signatureRecords {
                    #expect(try Record(presentation: record.description) == record, "\(packet.name): \(record)")
                }
            }
        }
        #expect(byteForByte >= packets.count - Self.valueOnly.count)
    }

    /// A referral from the root: no answer, the child's NS (and signed DS) in authority, glue in additional.
    @Test func referralHasNSAndGlue() throws {
        let message = try Self.packet("root-referral.hex")
        #expect(message.answer.isEmpty)
        #expect(!message.header.authoritativeAnswer)
        let ns = try #require(message.authority.first { $0.type == .ns })
        #expect(ns.name == "lab.")
        let ds = try #require(message.authority.first { $0.type == .ds })
        #expect(ds.signatures.allSatisfy { $0.typeCovered == .ds } && !ds.signatures.isEmpty)
        let servers = ns.rdatas.compactMap { if case .ns(let value) = $0 { value.nameServer } else { nil } }
        let glue = message.additional.filter { $0.type == .a || $0.type == .aaaa }
        #expect(!glue.isEmpty)
        #expect(glue.allSatisfy { servers.contains($0.name) })
        #expect(message.edns?.dnssecOK == true)
    }

    /// A DNSKEY answer: the keys as one RRset with its RRSIG attached, no RRSIG set of its own.
    @Test func dnskeyAnswerGroupsSignatures() throws {
        let message = try Self.packet("dnskey-rrsig.hex")
        #expect(message.answer.count == 1)
        let keys = try #require(message.answer.first)
        #expect(keys.type == .dnskey)
        #expect(keys.rdatas.count == 2)
        #expect(!keys.signatures.isEmpty)
        #expect(keys.signatures.allSatisfy { $0.typeCovered == .dnskey && $0.signerName == keys.name })
        #expect(!message.answer.contains { $0.type == .rrsig })
    }

    /// An NSEC3 NXDOMAIN: NSEC3 records (signed) and the SOA in authority.
    @Test func nsec3NXDOMAINHasNSEC3() throws {
        let message = try Self.packet("nsec3-nxdomain.hex")
        #expect(message.rcode == .nxDomain)
        let nsec3 = message.authority.filter { $0.type == .nsec3 }
        #expect(nsec3.count >= 2)
        for rrset in nsec3 {
            #expect(!rrset.signatures.isEmpty)
            guard case .nsec3(let value) = rrset.rdatas.first else {
                Issue.record("NSEC3 set without NSEC3 data")
                continue
            }
            #expect(value.hashAlgorithm == 1)
            #expect(value.nextHashedOwnerName.count == 20)
        }
        #expect(message.authority.contains { $0.type == .soa })
    }

    /// Unbound's SERVFAIL for a bogus name carries an Extended DNS Error with text (RFC 8914).
    @Test func unboundServfailCarriesEDE() throws {
        let message = try Self.packet("ede-bogus-unbound.hex")
        #expect(message.rcode == .servFail)
        let errors = try #require(message.edns?.extendedErrors)
        let error = try #require(errors.first)
        #expect(error.code == .dnskeyMissing)
        #expect(error.extraText.contains("validation failure"))
        #expect(message.description.contains("; EDE: 9 (DNSKEY Missing): (validation failure"))
    }

    /// Truncated answers keep TC and survive the round trip.
    @Test func truncatedAnswersKeepTC() throws {
        for name in ["truncated-udp.hex", "truncated-noedns.hex"] {
            let message = try Self.packet(name)
            #expect(message.header.truncated, "\(name)")
            #expect(message.answer.isEmpty, "\(name)")
        }
    }
}
