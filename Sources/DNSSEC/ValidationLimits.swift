// Primary responsibilities: every bound the validator puts on work an upstream response can cause (KeyTrap,
// CVE-2023-50387; NSEC3 hash exhaustion, CVE-2023-50868), and the clock-skew and NSEC3-iteration policies,
// each named and documented with its default (architecture.md §5).

public import DNSCrypto

/// The limits and policies that bound validation work, in one value so a configuration can override them.
///
/// Per-RRset limits (``maxRRSIGsPerRRSet``, ``maxKeysPerKeyTag``) stop one hostile RRset from multiplying work;
/// per-query limits (``maxSignatureVerifications``, ``maxVerificationCost``, ``maxNSEC3Hashes``) are spent from
/// a ``ValidationBudget`` that the caller carries through a whole client query, sub-queries included, so a
/// client query costs a bounded amount of CPU however the upstream data is built. Exceeding any of them makes
/// the data bogus with a reason naming the limit; validation never stalls.
public struct ValidationLimits: Hashable, Sendable {
    /// RRSIGs by supported algorithms tried for one RRset before giving up (architecture §5: 8; Unbound's
    /// `MAX_VALIDATE_RRSIGS`). Legitimate sets carry one RRSIG per signing algorithm, rarely more than three.
    public var maxRRSIGsPerRRSet: Int

    /// DNSKEYs with the same key tag and algorithm tried for one RRSIG (architecture §5: 4). Key tags are not
    /// unique (RFC 4034 Appendix B, RFC 6840 §5.5), so more than one may be tried, but KeyTrap builds sets of
    /// many colliding keys to multiply verifications.
    public var maxKeysPerKeyTag: Int

    /// Signature verifications allowed per unit of work, normally one client query (architecture §5: 32;
    /// knot-resolver's `KR_VLD_LIMIT_CRYPTO_DEFAULT`).
    public var maxSignatureVerifications: Int

    /// The CPU budget per unit of work in DNSCrypto's cost units (thousandths of an RSA-2048 verification).
    ///
    /// Counting verifications alone lets an attacker choose P-384, about 36 times dearer than RSA-2048. The
    /// default, 600 RSA-2048 verifications' worth (about 8 ms here), lets 32 verifications of any algorithm
    /// but P-384 through, and 16 of P-384: a deep all-P-384 chain still validates.
    public var maxVerificationCost: VerificationCost

    /// NSEC3 hash computations (each a full iterated hash) per unit of work (architecture §5: 600; PowerDNS's
    /// `max-nsec3-hash-computations-per-query`), against CVE-2023-50868.
    public var maxNSEC3Hashes: Int

    /// NSEC3 records with more iterations than this make the answer insecure with EDE 27, never bogus
    /// (RFC 9276 §3.2; default 50 as in BIND and PowerDNS).
    public var maxNSEC3Iterations: UInt16

    /// Seconds of clock difference tolerated at both ends of an RRSIG's validity period (RFC 4035 §5.3.1
    /// leaves skew to local policy; PowerDNS allows 60 s at inception, Unbound at least an hour). The default,
    /// 300 s, absorbs a signer's clock running ahead without keeping expired signatures alive for long.
    public var clockSkew: UInt32

    /// DNSKEYs decoded up front when a key set is built; keys beyond are decoded on demand each time they are
    /// tried (which the per-RRSIG limits bound). Legitimate zones publish a handful of keys; this keeps a
    /// 256-key KeyTrap set from costing 256 key decodings before any limit applies.
    public var maxKeysDecodedPerZone: Int

    /// DS digests computed while matching one DS RRset against one DNSKEY RRset (RFC 4035 §5.2). Each is cheap,
    /// but a hostile pair of sets would otherwise cost DS count × keys-per-tag hashes.
    public var maxDSDigestsPerZone: Int

    /// NSEC or NSEC3 records examined by one denial proof; further ones are ignored. A proof needs at most two
    /// NSEC or three NSEC3 records (RFC 7129 §5.5 and §5.6); PowerDNS caps NSEC3 records per response at 10 and
    /// knot-resolver at 8. The default, 16, leaves room for records a server adds for other names.
    public var maxDenialRecords: Int

    /// Creates limits; every argument defaults to the documented value.
    public init(
        maxRRSIGsPerRRSet: Int = 8,
        maxKeysPerKeyTag: Int = 4,
        maxSignatureVerifications: Int = 32,
        maxVerificationCost: VerificationCost = VerificationCost(milliunits: 600_000),
        maxNSEC3Hashes: Int = 600,
        maxNSEC3Iterations: UInt16 = 50,
        clockSkew: UInt32 = 300,
        maxKeysDecodedPerZone: Int = 16,
        maxDSDigestsPerZone: Int = 32,
        maxDenialRecords: Int = 16
    ) {
        self.maxRRSIGsPerRRSet = maxRRSIGsPerRRSet
        self.maxKeysPerKeyTag = maxKeysPerKeyTag
        self.maxSignatureVerifications = maxSignatureVerifications
        self.maxVerificationCost = maxVerificationCost
        self.maxNSEC3Hashes = maxNSEC3Hashes
        self.maxNSEC3Iterations = maxNSEC3Iterations
        self.clockSkew = clockSkew
        self.maxKeysDecodedPerZone = maxKeysDecodedPerZone
        self.maxDSDigestsPerZone = maxDSDigestsPerZone
        self.maxDenialRecords = maxDenialRecords
    }

    /// The documented defaults.
    public static let `default` = ValidationLimits()
}
