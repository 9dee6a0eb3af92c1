// Primary responsibilities: deterministic test data — a SplitMix64 generator and random valid
// messages covering every typed RDATA kind, EDNS options and extended RCODEs — plus the shared
// round-trip check the property tests and the fuzz-corpus replay both use.

import DNSWire

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same sequence on every machine, so a
/// failing seed reproduces.
struct SplitMix64: RandomNumberGenerator {
    /// The generator's state.
    private var state: UInt64

    /// Creates a generator from a seed.
    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// Builds random messages that the codec must round-trip: every value it makes is one the wire
/// format can express (RRsets with distinct keys, RRSIGs covering their set's type, an extended
/// RCODE only with EDNS).
struct MessageGenerator {
    /// The random source.
    var random: SplitMix64

    /// Creates a generator.
    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// Every RDATA kind generated: each typed case, opaque types, and opaque types with names inside.
    static let kinds: [RRType] = [
        .a, .aaaa, .ns, .cname, .ptr, .dname, .soa, .mx, .txt, .srv, .ds, .cds, .dnskey, .cdnskey, .nsec,
        .nsec3, .nsec3param, .tlsa, .caa, .svcb, .https, .hinfo, .sshfp, .rp, .afsdb, .naptr, RRType(65280),
        .null,
    ]

    /// Labels drawn often, so that names share suffixes and compression has work to do.
    static let commonLabels = ["www", "example", "com", "ns1", "mail", "a", "lab", "nsec3", "_tcp", "*"]

    /// A random integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    /// A random boolean that is true with probability `percent` / 100.
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    /// Random octets.
    mutating func bytes(_ count: ClosedRange<Int>) -> [UInt8] {
        (0..<int(count)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// A random fixed-width value.
    mutating func value<T: FixedWidthInteger & UnsignedInteger>(_ type: T.Type) -> T {
        T.random(in: T.min...T.max, using: &random)
    }

    /// A random label: usually a common word in random case, sometimes arbitrary octets (dots,
    /// backslashes, blanks, NUL) that presentation text must escape.
    mutating func label() -> [UInt8] {
        if chance(80) {
            let word = Self.commonLabels[int(0...(Self.commonLabels.count - 1))]
            return word.utf8.map { chance(30) && $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
        }
        return bytes(1...(chance(90) ? 10 : 63))
    }

    /// A random valid name of zero to five labels.
    mutating func name() -> DomainName {
        var labels: [[UInt8]] = []
        for _ in 0..<int(0...5) { labels.append(label()) }
        // Five long labels can pass 255 octets; the root stands in for such a name.
        return (try? DomainName(labels: labels)) ?? .root
    }

    /// A random type bitmap, sometimes reaching into high windows.
    mutating func typeBitmap() -> TypeBitmap {
        TypeBitmap((0..<int(0...6)).map { _ in RRType(chance(80) ? UInt16(int(1...260)) : value(UInt16.self)) })
    }

    /// Random RDATA of `type`.
    mutating func rdata(_ type: RRType) -> RData {
        switch type {
        case .a: return .a(A(address: value(UInt32.self)))
        case .aaaa:
            // Zero groups in runs exercise the `::` rule; mapped addresses the mixed form.
            let high: UInt64 = chance(30) ? 0 : (chance(50) ? 0x2001_0DB8_0000_0000 : value(UInt64.self))
            let low: UInt64 = chance(20) ? 0xFFFF_0000_0000 | UInt64(value(UInt32.self)) : value(UInt64.self) & 0xFFFF
            return .aaaa(AAAA(high: high, low: low))
        case .ns: return .ns(NS(nameServer: name()))
        case .cname: return .cname(CNAME(target: name()))
        case .ptr: return .ptr(PTR(target: name()))
        case .dname: return .dname(DNAME(target: name()))
        case .soa:
            return .soa(
                SOA(
                    mname: name(), rname: name(), serial: value(UInt32.self), refresh: value(UInt32.self),
                    retry: value(UInt32.self), expire: value(UInt32.self), minimum: value(UInt32.self)))
        case .mx: return .mx(MX(preference: value(UInt16.self), exchange: name()))
        case .txt: return .txt(TXT(strings: (0..<int(1...3)).map { _ in bytes(0...(chance(90) ? 20 : 255)) }))
        case .srv:
            return .srv(
                SRV(priority: value(UInt16.self), weight: value(UInt16.self), port: value(UInt16.self), target: name()))
        case .ds, .cds:
            let ds = DS(
                keyTag: value(UInt16.self), algorithm: DNSSECAlgorithm(value(UInt8.self)),
                digestType: DigestType(value(UInt8.self)), digest: bytes(0...48))
            return type == .ds ? .ds(ds) : .cds(ds)
        case .dnskey, .cdnskey:
            let key = DNSKEY(
                flags: value(UInt16.self), protocol: value(UInt8.self), algorithm: DNSSECAlgorithm(value(UInt8.self)),
                publicKey: bytes(0...100))
            return type == .dnskey ? .dnskey(key) : .cdnskey(key)
        case .nsec: return .nsec(NSEC(nextDomainName: name(), types: typeBitmap()))
        case .nsec3:
            return .nsec3(
                NSEC3(
                    hashAlgorithm: value(UInt8.self), flags: value(UInt8.self), iterations: value(UInt16.self),
                    salt: bytes(0...8), nextHashedOwnerName: bytes(1...32), types: typeBitmap()))
        case .nsec3param:
            return .nsec3param(
                NSEC3PARAM(
                    hashAlgorithm: value(UInt8.self), flags: value(UInt8.self), iterations: value(UInt16.self),
                    salt: bytes(0...8)))
        case .tlsa:
            return .tlsa(
                TLSA(
                    usage: value(UInt8.self), selector: value(UInt8.self), matchingType: value(UInt8.self),
                    data: bytes(0...64)))
        case .caa:
            let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
            let tag = (0..<int(1...15)).map { _ in alphabet[int(0...(alphabet.count - 1))] }
            return .caa(CAA(flags: chance(50) ? 0 : value(UInt8.self), tag: tag, value: bytes(0...40)))
        case .svcb, .https:
            let svcb = SVCB(priority: value(UInt16.self), target: name(), parameters: svcParameters())
            return type == .svcb ? .svcb(svcb) : .https(svcb)
        case .rp:
            return .unknown(.rp, uncompressed(name()) + uncompressed(name()))
        case .afsdb:
            return .unknown(.afsdb, [value(UInt8.self), value(UInt8.self)] + uncompressed(name()))
        case .naptr:
            var rdata: [UInt8] = bytes(4...4)
            for _ in 0..<3 {
                let string = bytes(0...8)
                rdata += [UInt8(string.count)] + string
            }
            return .unknown(.naptr, rdata + uncompressed(name()))
        default:
            return .unknown(type, bytes(0...30))
        }
    }

    /// A name's uncompressed wire form, for opaque RDATA that embeds names.
    func uncompressed(_ name: DomainName) -> [UInt8] { name.wireBytes }

    /// SvcParams in strictly increasing key order, well-formed or not (a malformed value must still
    /// round-trip, in the generic `keyNNNNN` form).
    mutating func svcParameters() -> [SVCB.Parameter] {
        var keys = Set<UInt16>()
        for _ in 0..<int(0...5) { keys.insert(chance(70) ? UInt16(int(0...7)) : value(UInt16.self)) }
        return keys.sorted().map { key in
            let wellFormed = chance(80)
            let value: [UInt8]
            switch (key, wellFormed) {
            case (0, true): value = (0..<int(1...3)).flatMap { _ in [0, UInt8(int(1...8))] }
            case (1, true):
                value = (0..<int(1...3)).flatMap { _ in
                    let id = chance(70) ? Array("h2".utf8) : bytes(1...6)
                    return [UInt8(id.count)] + id
                }
            case (2, true): value = []
            case (3, true): value = bytes(2...2)
            case (4, true): value = bytes(4...4) + (chance(50) ? bytes(4...4) : [])
            case (5, true): value = bytes(1...20)
            case (6, true): value = bytes(16...16) + (chance(30) ? bytes(16...16) : [])
            default: value = bytes(0...12)
            }
            return SVCB.Parameter(key: key, value: value)
        }
    }

    /// A random RRset of `type` with one to four distinct members and sometimes RRSIGs covering it.
    /// A member drawn twice is kept once, as the parser keeps a repeated record once (RFC 2181 §5:
    /// equal in canonical form, ``RRSet/group(_:keepingDuplicates:)``).
    mutating func rrset(name owner: DomainName, type: RRType, rrClass: RRClass) -> RRSet {
        /// Whether `candidate` repeats one of `earlier` as the parser sees repeats.
        func repeats(_ candidate: RData, in earlier: [RData]) -> Bool {
            earlier.contains { $0 == candidate && $0.canonicalBytes == candidate.canonicalBytes }
        }
        var rdatas: [RData] = []
        for _ in 0..<int(1...4) {
            let candidate = rdata(type)
            if !repeats(candidate, in: rdatas) { rdatas.append(candidate) }
        }
        let drawn = (0..<(chance(40) ? int(1...2) : 0)).map { _ in
            RRSIG(
                typeCovered: type, algorithm: DNSSECAlgorithm(value(UInt8.self)), labels: value(UInt8.self),
                originalTTL: value(UInt32.self), expiration: value(UInt32.self), inception: value(UInt32.self),
                keyTag: value(UInt16.self), signerName: name(), signature: bytes(0...64))
        }
        var signatures: [RRSIG] = []
        for signature in drawn where !repeats(.rrsig(signature), in: signatures.map(RData.rrsig)) {
            signatures.append(signature)
        }
        return RRSet(
            name: owner, type: type, rrClass: rrClass, ttl: value(UInt32.self), rdatas: rdatas, signatures: signatures)
    }

    /// A random EDNS option of a kind that decodes back to the same case.
    mutating func ednsOption() -> EDNSOption {
        switch int(0...3) {
        case 0: return .cookie(client: bytes(8...8), server: chance(30) ? [] : bytes(8...32))
        case 1:
            let text = String(decoding: (0..<int(0...30)).map { _ in UInt8(int(0x20...0x7E)) }, as: UTF8.self)
            return .extendedDNSError(ExtendedDNSError(EDECode(UInt16(int(0...30))), chance(20) ? "é ✓ " + text : text))
        case 2: return .padding(int(0...64))
        default:
            var code = value(UInt16.self)
            while [10, 12, 15].contains(code) { code = value(UInt16.self) }
            return .unknown(EDNSOptionCode(code), bytes(0...16))
        }
    }

    /// A random valid message: every kind of RDATA over its sections, names sharing suffixes.
    mutating func message() -> Message {
        var header = Header(id: value(UInt16.self), flagBits: value(UInt16.self) & 0xFFF0)
        header.opcode = Opcode(UInt8(int(0...15)))
        let edns: EDNS? =
            chance(70)
            ? EDNS(
                udpPayloadSize: value(UInt16.self), version: chance(90) ? 0 : value(UInt8.self), dnssecOK: chance(50),
                otherFlags: chance(90) ? 0 : value(UInt16.self) & 0x7FFF,
                options: (0..<int(0...3)).map { _ in ednsOption() }) : nil
        let rcode = RCode(UInt16(edns == nil ? int(0...15) : int(0...4095)))
        var sections: [[RRSet]] = [[], [], []]
        for section in 0..<3 {
            var keys = Set<RRSet.Key>()
            for _ in 0..<int(0...5) {
                let type = Self.kinds[int(0...(Self.kinds.count - 1))]
                let rrClass: RRClass = chance(90) ? .in : RRClass(UInt16(int(1...300)))
                let set = rrset(name: name(), type: type, rrClass: rrClass)
                guard keys.insert(set.key).inserted else { continue }
                sections[section].append(set)
            }
        }
        return Message(
            header: header,
            questions: chance(90) ? [Question(name: name(), type: RRType(value(UInt16.self)), rrClass: .in)] : [],
            answer: sections[0], authority: sections[1], additional: sections[2], edns: edns, rcode: rcode)
    }
}

/// The round-trip property the fuzzer checks, as a function tests can call: parse, and when that
/// succeeds, serialise and parse again.
/// - Parameter bytes: any input.
/// - Returns: nil when the input does not parse or round-trips; otherwise what went wrong.
func roundTripFailure(_ bytes: [UInt8]) -> String? {
    guard let message = try? Message(parsing: bytes) else { return nil }
    let serialised: [UInt8]
    do {
        serialised = try message.serialized()
    } catch {
        return "parsed message failed to serialise: \(error)"
    }
    guard let reparsed = try? Message(parsing: serialised) else { return "serialised message failed to parse" }
    guard reparsed == message else { return "round trip changed the message:\n\(message)\n---\n\(reparsed)" }
    guard (try? reparsed.serialized()) == serialised else { return "second serialisation differs" }
    return nil
}
