// Primary responsibilities: authenticating a zone's DNSKEY RRset from the parent's DS RRset or a trust anchor
// (RFC 4035 §5.2): choosing the DS records this validator can use, matching them to keys, and validating the
// DNSKEY RRset with a matched key; the result is the zone's key set or a status with its reason.

internal import DNSCrypto
public import DNSWire

/// Validation of a DNSKEY RRset against a DS RRset or a trust anchor (RFC 4035 §5.2).
public enum DNSKEYValidator {
    /// A DNSKEY RRset that validated: the keys ready for the zone's data, and the RRset with its TTL.
    public struct ValidatedKeys: Sendable {
        /// Every key of the validated RRset, prepared for verification.
        public let keys: ZoneKeySet
        /// The DNSKEY RRset as validated (TTL capped, RFC 4035 §5.3.3).
        public let rrset: ValidatedRRSet
    }

    /// Validates a DNSKEY RRset with the DS RRset from its parent, already validated (RFC 4035 §5.2).
    ///
    /// DS records whose algorithm or digest type is unsupported are set aside (RFC 4035 §5.2, RFC 6840 §5.2);
    /// when a well-formed SHA-256 or SHA-384 DS is usable, SHA-1 ones are ignored (RFC 4509 §3). A DS of a
    /// supported algorithm and digest type whose digest has the wrong length for that type is *not* set aside:
    /// RFC 6840 §5.2 allows insecure only for digest types the validator does not implement, so such a DS
    /// counts as present and, matching no key, leaves the DNSKEY RRset unauthenticated (RFC 4035 §5.2). Then:
    /// - no usable DS → insecure with EDE 1 (an unsupported algorithm was seen) or EDE 2 (only unsupported
    ///   digests);
    /// - usable DS, all of them with a digest of the wrong length → bogus, EDE 6, site `KDLN`;
    /// - usable DS but no DNSKEY matches one → bogus, EDE 9;
    /// - the DNSKEY RRset must then be signed by a matched key; failures keep their codes (6, 7, 8, 10).
    /// Not every algorithm in the DS RRset needs to sign (RFC 6840 §5.11).
    ///
    /// - Parameters:
    ///   - dnskeys: the zone's DNSKEY RRset with its RRSIGs.
    ///   - ds: the DS records for the zone.
    ///   - now: seconds since 1970 modulo 2³².
    ///   - limits: the work limits.
    ///   - support: the supported algorithms and digests.
    ///   - budget: the query's remaining allowance.
    public static func validate(
        _ dnskeys: RRSet, ds: [DS], now: UInt32, limits: ValidationLimits = .default,
        support: AlgorithmSupport = .system, budget: inout ValidationBudget
    ) -> ValidationOutcome<ValidatedKeys> {
        validate(
            dnskeys, anchor: TrustAnchor(owner: dnskeys.name, ds: ds), now: now, limits: limits, support: support,
            budget: &budget)
    }

    /// Validates a DNSKEY RRset from a trust anchor of DS and/or DNSKEY records (RFC 4035 §5.2, §4.4).
    ///
    /// DS records are handled as in ``validate(_:ds:now:limits:support:budget:)``; a DNSKEY anchor trusts the key
    /// in the RRset with identical RDATA. The RRset must be signed by a trusted key.
    public static func validate(
        _ dnskeys: RRSet, anchor: TrustAnchor, now: UInt32, limits: ValidationLimits = .default,
        support: AlgorithmSupport = .system, budget: inout ValidationBudget
    ) -> ValidationOutcome<ValidatedKeys> {
        let zone = dnskeys.name
        let published = dnskeys.rdatas.compactMap { rdata -> DNSKEY? in
            if case .dnskey(let key) = rdata { return key }
            return nil
        }
        guard dnskeys.type == .dnskey, !published.isEmpty else {
            return .bogus(ValidationReason(bogus: .dnskeyMissing, site: "KNON", "no DNSKEY RRset for \(zone)"))
        }
        guard anchor.owner == zone else {
            return .bogus(
                ValidationReason(
                    bogus: .dnskeyMissing, site: "KOWN", "the DS or anchor is for \(anchor.owner), not \(zone)"))
        }
        // RFC 4035 §5.2: only DS records with a supported algorithm and digest type can authenticate a key;
        // RFC 6840 §5.2: the others (and only they) may leave the zone insecure.
        var unsupportedAlgorithm = false
        let supported = anchor.ds.filter { ds in
            guard support.supports(ds.algorithm) else {
                unsupportedAlgorithm = true
                return false
            }
            return support.supports(ds.digestType)
        }
        // A supported digest type with a digest of the wrong length (RFC 4034 §5.1.4, RFC 4509 §2.2, RFC 6605 §2)
        // can never match a key, but it is not an unimplemented type: it keeps the zone from being insecure.
        let malformed = supported.filter {
            $0.digest.count != DSDigest.digestLength(digestType: $0.digestType.rawValue)
        }
        var usable = supported.filter { $0.digest.count == DSDigest.digestLength(digestType: $0.digestType.rawValue) }
        // RFC 4509 §3: ignore SHA-1 DS when a SHA-256 (or stronger SHA-384) DS is usable.
        if usable.contains(where: { $0.digestType == .sha256 || $0.digestType.rawValue == 4 }) {
            usable.removeAll { $0.digestType == .sha1 }
        }
        let anchorKeys = anchor.dnskeys.filter { key in
            guard support.supports(key.algorithm) else {
                unsupportedAlgorithm = true
                return false
            }
            return key.zoneSigningUnusableReason == nil
        }
        guard !usable.isEmpty || !anchorKeys.isEmpty else {
            if let first = malformed.first {
                // RFC 4035 §5.2, RFC 6840 §5.2: a supported digest type that matches no key is bogus, not insecure.
                return .bogus(
                    ValidationReason(
                        bogus: .dnssecBogus, site: "KDLN",
                        "the DS \(first.keyTag)/\(first.algorithm)/\(first.digestType) for \(zone) has a "
                            + "\(first.digest.count)-octet digest; digest type \(first.digestType.rawValue) digests are "
                            + "\(DSDigest.digestLength(digestType: first.digestType.rawValue) ?? 0) octets, so it authenticates "
                            + "no DNSKEY"))
            }
            if anchor.ds.isEmpty && anchor.dnskeys.isEmpty {
                return .bogus(
                    ValidationReason(bogus: .dnskeyMissing, site: "KNDS", "no DS or trust anchor for \(zone)"))
            }
            let code: EDECode = unsupportedAlgorithm ? .unsupportedDNSKEYAlgorithm : .unsupportedDSDigestType
            let what = unsupportedAlgorithm ? "algorithms" : "digest types"
            return .insecure(
                ValidationReason(
                    insecure: code, site: "KUNS", "every DS or anchor for \(zone) uses unsupported \(what)"))
        }
        // RFC 4035 §5.2: find the keys a DS (or anchor key) authenticates.
        var trusted: [DNSKEY] = []
        var digests = 0
        for ds in usable {
            var perTag = 0
            for key in published where key.keyTag == ds.keyTag && key.algorithm == ds.algorithm {
                guard key.zoneSigningUnusableReason == nil else { continue }
                guard perTag < limits.maxKeysPerKeyTag, digests < limits.maxDSDigestsPerZone else { break }
                perTag += 1
                digests += 1
                if ds.digestMatches(key, owner: zone), !trusted.contains(key) { trusted.append(key) }
            }
        }
        for key in anchorKeys where published.contains(key) && !trusted.contains(key) { trusted.append(key) }
        guard !trusted.isEmpty else {
            let listed =
                usable.map { "\($0.keyTag)/\($0.algorithm)/\($0.digestType)" }
                + anchorKeys.map { "key \($0.keyTag)/\($0.algorithm)" }
            return .bogus(
                ValidationReason(
                    bogus: .dnskeyMissing, site: "KNOM",
                    "no DNSKEY of \(zone) matches DS or anchor " + listed.joined(separator: ", ")))
        }
        // RFC 4035 §5.2: the DNSKEY RRset must be signed by an authenticated key.
        let trustedSet = ZoneKeySet(zone: zone, dnskeys: trusted, support: support, limits: limits)
        switch RRSetValidator.validate(
            dnskeys, keys: trustedSet, now: now, limits: limits, support: support, budget: &budget)
        {
        case .secure(let validated):
            let keys = ZoneKeySet(zone: zone, dnskeys: published, support: support, limits: limits)
            return .secure(ValidatedKeys(keys: keys, rrset: validated))
        case .insecure(let reason):
            return .insecure(reason)
        case .bogus(let reason):
            // The key the DS or anchor authenticates is published but signed nothing here: what is
            // missing is its RRSIG over the DNSKEY RRset (EDE 10, RFC 8914 §4.11), not the key
            // (EDE 9 means no matching DNSKEY at all, which KNOM reports above).
            if reason.code == .dnskeyMissing {
                return .bogus(
                    ValidationReason(
                        bogus: .rrsigsMissing, site: "KSIG",
                        "the DNSKEY RRset of \(zone) is not signed by a key its DS or anchor authenticates: "
                            + reason.detail))
            }
            return .bogus(reason)
        }
    }
}
