// Primary responsibilities: DomainName's rules — length limits and label types, compression
// pointers as WireReader follows them, case-folded equality that keeps case, RFC 4034 §6.1
// canonical order, label counts, ancestry, and RFC 1035 escapes in text.

import DNSWire
import Testing

/// DomainName validation, comparison and text.
@Suite struct DomainNameTests {
    /// A label of `count` copies of `a`.
    static func label(_ count: Int) -> [UInt8] { [UInt8](repeating: 0x61, count: count) }

    /// 63-octet labels and 255-octet names are the limits (RFC 1035 §2.3.4).
    @Test func lengthLimits() throws {
        #expect(try DomainName(labels: [Self.label(63)]).wireBytes.count == 65)
        #expect(throws: DNSWireError(.labelTooLong, "")) { try DomainName(labels: [Self.label(64)]) }
        let longest = try DomainName(labels: [Self.label(63), Self.label(63), Self.label(63), Self.label(61)])
        #expect(longest.wireBytes.count == 255)
        #expect(throws: DNSWireError(.nameTooLong, "")) {
            try DomainName(labels: [Self.label(63), Self.label(63), Self.label(63), Self.label(62)])
        }
        #expect(throws: DNSWireError(.labelTooLong, "")) { try DomainName(String(repeating: "a", count: 64) + ".") }
        #expect(throws: DNSWireError(.badText, "")) { try DomainName(String("a..b.")) }
        // A name read from the wire is held to the same limits.
        var tooLong: [UInt8] = []
        for _ in 0..<4 { tooLong += [63] + Self.label(63) }
        tooLong.append(0)
        var reader = WireReader(tooLong)
        #expect(throws: DNSWireError(.nameTooLong, "")) { try reader.readName() }
    }

    /// Label types 0x40 (extended, RFC 6891 §5) and 0x80 (reserved) are refused.
    @Test func labelTypes() {
        for type: UInt8 in [0x40, 0x80] {
            #expect(throws: DNSWireError(.badLabelType, "")) { try DomainName(wireBytes: [type | 1, 0x61, 0]) }
            var reader = WireReader([type | 1, 0x61, 0])
            #expect(throws: DNSWireError(.badLabelType, "")) { try reader.readName() }
        }
        #expect(throws: DNSWireError(.truncated, "")) { try DomainName(wireBytes: [1, 0x61]) }
    }

    /// Compression pointers: backwards only, never to themselves, loops impossible, hops capped.
    @Test func pointerRules() throws {
        // example. at 0, then www + pointer to 0.
        let bytes: [UInt8] = [7] + Array("example".utf8) + [0, 3] + Array("www".utf8) + [0xC0, 0]
        var reader = WireReader(bytes)
        _ = try reader.readName()
        #expect(try reader.readName() == "www.example.")
        #expect(reader.isAtEnd)

        var forward = WireReader([0xC0, 2, 0])
        #expect(throws: DNSWireError(.badPointer, "")) { try forward.readName() }
        var selfPointer = WireReader([0, 0xC0, 1])
        _ = try selfPointer.readName()
        #expect(throws: DNSWireError(.badPointer, "")) { try selfPointer.readName() }
        // A two-pointer loop: the second pointer points forward again once the first is followed.
        var loop = WireReader([0xC0, 2, 0xC0, 0])
        _ = try? loop.readUInt16()
        #expect(throws: DNSWireError(.badPointer, "")) { try loop.readName() }

        /// A root label followed by `count` pointers, each pointing at the one before.
        func chain(_ count: Int) -> [UInt8] {
            var bytes: [UInt8] = [0]
            for index in 0..<count { bytes += [0xC0, UInt8(index == 0 ? 0 : 1 + 2 * (index - 1))] }
            return bytes
        }
        var allowed = WireReader(chain(WireReader.maxPointerHops))
        for _ in 0..<(1 + 2 * (WireReader.maxPointerHops - 1)) { _ = try allowed.readUInt8() }
        #expect(try allowed.readName() == .root)
        var capped = WireReader(chain(WireReader.maxPointerHops + 1))
        for _ in 0..<(1 + 2 * WireReader.maxPointerHops) { _ = try capped.readUInt8() }
        #expect(throws: DNSWireError(.tooManyPointers, "")) { try capped.readName() }
        // Where compression is not allowed, any pointer is an error.
        var refused = WireReader(bytes)
        _ = try refused.readName()
        #expect(throws: DNSWireError(.compressionNotAllowed, "")) { try refused.readName(allowCompression: false) }
    }

    /// Equality and hashing fold ASCII case only; the case received is kept.
    @Test func caseInsensitiveEqualityKeepsCase() throws {
        let mixed: DomainName = "WwW.ExAmple."
        let lower: DomainName = "www.example."
        #expect(mixed == lower)
        #expect(Set([mixed, lower]).count == 1)
        #expect(mixed.hashValue == lower.hashValue)
        #expect(mixed.description == "WwW.ExAmple.")
        #expect(mixed.lowercased.isIdentical(to: lower))
        // Only A–Z fold: 0xC1 and 0xE1 stay different.
        #expect(try DomainName(labels: [[0xC1]]) != DomainName(labels: [[0xE1]]))
        #expect(try DomainName(labels: [[0x5B]]) != DomainName(labels: [[0x7B]]))
    }

    /// The example list of RFC 4034 §6.1, which must sort in exactly this order.
    @Test func canonicalOrderExample() throws {
        let ordered: [DomainName] = try [
            "example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.", "z.example.",
            "\\001.z.example.", "*.z.example.", "\\200.z.example.",
        ].map { try DomainName($0) }
        for (index, name) in ordered.enumerated() {
            for (other, later) in ordered.enumerated() {
                let expected = index < other ? -1 : (index == other ? 0 : 1)
                #expect(name.canonicalCompare(later).signum() == expected, "\(name) vs \(later)")
            }
        }
        var generator = MessageGenerator(seed: 3)
        for _ in 0..<20 {
            var shuffled = ordered
            shuffled.shuffle(using: &generator.random)
            #expect(shuffled.sorted { $0.canonicallyPrecedes($1) }.map(\.description) == ordered.map(\.description))
        }
    }

    /// Label counts, with the RRSIG Labels rule for wildcards (RFC 4034 §3.1.3).
    @Test func labelCounts() {
        #expect(DomainName.root.labelCount == 0)
        #expect(("www.example." as DomainName).labelCount == 2)
        let wildcard: DomainName = "*.z.example."
        #expect(wildcard.isWildcard)
        #expect(wildcard.labelCount == 3)
        #expect(wildcard.rrsigLabelCount == 2)
        #expect(("a.*.example." as DomainName).rrsigLabelCount == 3)
    }

    /// Parents, suffixes, sub-domains on label boundaries, and common ancestors.
    @Test func ancestry() throws {
        let name: DomainName = "www.Example.com."
        #expect(name.parent == "example.com.")
        #expect(DomainName.root.parent == nil)
        #expect(name.suffix(labelCount: 1) == "com.")
        #expect(name.isSubdomain(of: "EXAMPLE.COM."))
        #expect(name.isSubdomain(of: name))
        #expect(!name.isStrictSubdomain(of: name))
        #expect(name.isSubdomain(of: .root))
        #expect(!("xexample.com." as DomainName).isSubdomain(of: "example.com."))
        #expect(!("example.com." as DomainName).isSubdomain(of: name))
        #expect(name.commonAncestor(with: "mail.example.com.") == "example.com.")
        #expect(name.commonAncestor(with: "example.net.") == .root)
        #expect(try name.prepending(label: Array("_dns".utf8)) == "_dns.www.example.com.")
    }

    /// RFC 1035 §5.1 escapes: `\.` inside a label, `\DDD`, and specials printed escaped.
    @Test func textEscapes() throws {
        let dotted = DomainName("a\\.b.example.")
        #expect(dotted.labelCount == 2)
        #expect(dotted.labels[0] == Array("a.b".utf8)[...])
        #expect(dotted.description == "a\\.b.example.")
        #expect(try DomainName("\\065bc.") == DomainName("abc."))
        let odd = try DomainName(labels: [[0x20, 0x00, 0xFF, 0x22, 0x3B, 0x40, 0x24, 0x5C, 0x28]])
        #expect(odd.description == "\\032\\000\\255\\\"\\;\\@\\$\\\\\\(.")
        #expect(try DomainName(odd.description) == odd)
        #expect(try DomainName("www", origin: "example.") == "www.example.")
        #expect(try DomainName("@", origin: "example.") == "example.")
        #expect(try DomainName("www.", origin: "example.") == "www.")
        #expect(throws: DNSWireError(.badText, "")) { try DomainName(String("\\25")) }
        #expect(throws: DNSWireError(.badText, "")) { try DomainName(String("\\256.")) }
    }
}
