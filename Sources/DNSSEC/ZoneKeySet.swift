// Primary responsibilities: the keys of one zone ready for verification — a validated DNSKEY RRset or a
// configured set — with lookup by key tag and algorithm (RFC 4035 §5.3.1).

public import DNSWire

/// The DNSKEYs of a zone, prepared for verifying RRSIGs whose Signer's Name is that zone.
///
/// Build it from a DNSKEY RRset only after that RRset has been validated (``DNSKEYValidator``), or from keys the
/// operator configured. Keys are decoded once, up to ``ValidationLimits/maxKeysDecodedPerZone``.
public struct ZoneKeySet: Sendable {
    /// The zone apex: the DNSKEY owner and the signer name of the RRSIGs these keys verify.
    public let zone: DomainName
    /// The keys, in the order given.
    public let keys: [ZoneKey]

    /// Prepares keys for a zone.
    ///
    /// - Parameters:
    ///   - zone: the DNSKEY owner name.
    ///   - dnskeys: the keys.
    ///   - support: the algorithms considered supported.
    ///   - limits: bounds how many keys are decoded up front.
    public init(
        zone: DomainName, dnskeys: [DNSKEY], support: AlgorithmSupport = .system, limits: ValidationLimits = .default
    ) {
        self.zone = zone
        var decoded = 0
        var keys: [ZoneKey] = []
        keys.reserveCapacity(dnskeys.count)
        for dnskey in dnskeys {
            let decode = decoded < limits.maxKeysDecodedPerZone
            let key = ZoneKey(dnskey: dnskey, owner: zone, support: support, decode: decode)
            if decode, key.isUsable { decoded += 1 }
            keys.append(key)
        }
        self.keys = keys
    }

    /// Prepares the keys of a DNSKEY RRset (its owner is the zone).
    public init(dnskeyRRSet: RRSet, support: AlgorithmSupport = .system, limits: ValidationLimits = .default) {
        let dnskeys = dnskeyRRSet.rdatas.compactMap { rdata -> DNSKEY? in
            if case .dnskey(let key) = rdata { return key }
            return nil
        }
        self.init(zone: dnskeyRRSet.name, dnskeys: dnskeys, support: support, limits: limits)
    }

    /// Keys that an RRSIG with this key tag and algorithm may have been made with, in set order
    /// (RFC 4035 §5.3.1: Signer's Name, Algorithm and Key Tag must match a DNSKEY).
    func candidates(keyTag: UInt16, algorithm: DNSSECAlgorithm) -> [ZoneKey] {
        keys.filter { $0.keyTag == keyTag && $0.dnskey.algorithm == algorithm }
    }
}
