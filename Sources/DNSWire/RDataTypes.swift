// Primary responsibilities: the typed RDATA of every type a validating resolver interprets or an
// operator reads, each with its wire decoding and encoding. Field names follow the RFCs.

// MARK: - RFC 1035 and RFC 3596 addresses and names

/// An IPv4 address record (RFC 1035 §3.4.1).
public struct A: Hashable, Sendable {
    /// The address, most significant octet first.
    public var address: UInt32
    /// Creates the record data.
    public init(address: UInt32) { self.address = address }
    /// Creates the record data from four octets.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        address = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }
    /// The four octets.
    public var octets: [UInt8] {
        [
            UInt8(address >> 24), UInt8(truncatingIfNeeded: address >> 16), UInt8(truncatingIfNeeded: address >> 8),
            UInt8(truncatingIfNeeded: address),
        ]
    }
}

/// An IPv6 address record (RFC 3596 §2.2).
public struct AAAA: Hashable, Sendable {
    /// The first 64 bits of the address.
    public var high: UInt64
    /// The last 64 bits of the address.
    public var low: UInt64
    /// Creates the record data.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
    /// Creates the record data from sixteen octets.
    public init?(octets: [UInt8]) {
        guard octets.count == 16 else { return nil }
        high = octets[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = octets[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }
    /// The sixteen octets.
    public var octets: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }
}

/// An authoritative name server (RFC 1035 §3.3.11).
public struct NS: Hashable, Sendable {
    /// The name server's host name.
    public var nameServer: DomainName
    /// Creates the record data.
    public init(nameServer: DomainName) { self.nameServer = nameServer }
}

/// A canonical name: the owner is an alias (RFC 1035 §3.3.1).
public struct CNAME: Hashable, Sendable {
    /// The canonical name.
    public var target: DomainName
    /// Creates the record data.
    public init(target: DomainName) { self.target = target }
}

/// A domain name pointer (RFC 1035 §3.3.12).
public struct PTR: Hashable, Sendable {
    /// The name pointed to.
    public var target: DomainName
    /// Creates the record data.
    public init(target: DomainName) { self.target = target }
}

/// A redirection of a whole subtree (RFC 6672 §2.1). Its target is never compressed.
public struct DNAME: Hashable, Sendable {
    /// The name that replaces the owner as a suffix.
    public var target: DomainName
    /// Creates the record data.
    public init(target: DomainName) { self.target = target }
}

/// The start of a zone of authority (RFC 1035 §3.3.13).
public struct SOA: Hashable, Sendable {
    /// The primary name server.
    public var mname: DomainName
    /// The responsible person's mailbox.
    public var rname: DomainName
    /// The zone's serial number (RFC 1982 arithmetic).
    public var serial: UInt32
    /// Seconds between secondaries' refresh checks.
    public var refresh: UInt32
    /// Seconds before a failed refresh is retried.
    public var retry: UInt32
    /// Seconds after which a secondary stops answering.
    public var expire: UInt32
    /// The negative-caching TTL (RFC 2308 §4).
    public var minimum: UInt32
    /// Creates the record data.
    public init(
        mname: DomainName, rname: DomainName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32,
        minimum: UInt32
    ) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

/// A mail exchange (RFC 1035 §3.3.9).
public struct MX: Hashable, Sendable {
    /// Lower is preferred.
    public var preference: UInt16
    /// The mail server.
    public var exchange: DomainName
    /// Creates the record data.
    public init(preference: UInt16, exchange: DomainName) {
        self.preference = preference
        self.exchange = exchange
    }
}

/// Text strings (RFC 1035 §3.3.14).
public struct TXT: Hashable, Sendable {
    /// The `<character-string>`s, each at most 255 octets.
    public var strings: [[UInt8]]
    /// Creates the record data.
    public init(strings: [[UInt8]]) { self.strings = strings }
}

/// A service location (RFC 2782). Its target may be decompressed but is never compressed.
public struct SRV: Hashable, Sendable {
    /// Lower is preferred.
    public var priority: UInt16
    /// Relative weight among equal priorities.
    public var weight: UInt16
    /// The service's port.
    public var port: UInt16
    /// The host providing the service.
    public var target: DomainName
    /// Creates the record data.
    public init(priority: UInt16, weight: UInt16, port: UInt16, target: DomainName) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

// MARK: - DNSSEC (RFC 4034, RFC 5155, RFC 7344)

/// A delegation signer: a digest of a child zone's key, held by the parent (RFC 4034 §5).
/// Also the layout of CDS (RFC 7344 §3.1).
public struct DS: Hashable, Sendable {
    /// The key tag of the DNSKEY it refers to (RFC 4034 Appendix B).
    public var keyTag: UInt16
    /// The algorithm of that DNSKEY.
    public var algorithm: DNSSECAlgorithm
    /// How the digest was made.
    public var digestType: DigestType
    /// The digest of owner name ‖ DNSKEY RDATA (RFC 4034 §5.1.4).
    public var digest: [UInt8]
    /// Creates the record data.
    public init(keyTag: UInt16, algorithm: DNSSECAlgorithm, digestType: DigestType, digest: [UInt8]) {
        self.keyTag = keyTag
        self.algorithm = algorithm
        self.digestType = digestType
        self.digest = digest
    }
}

/// A zone's public key (RFC 4034 §2). Also the layout of CDNSKEY (RFC 7344 §3.2).
public struct DNSKEY: Hashable, Sendable {
    /// Flag bit 7: the key is a zone key (RFC 4034 §2.1.1).
    public static let zoneKeyFlag: UInt16 = 0x0100
    /// Flag bit 8: the key is revoked (RFC 5011 §3).
    public static let revokeFlag: UInt16 = 0x0080
    /// Flag bit 15: secure entry point, a hint only (RFC 4034 §2.1.1).
    public static let secureEntryPointFlag: UInt16 = 0x0001

    /// The flags field.
    public var flags: UInt16
    /// Must be 3 (RFC 4034 §2.1.2).
    public var `protocol`: UInt8
    /// The key's algorithm.
    public var algorithm: DNSSECAlgorithm
    /// The public key, in the algorithm's own format.
    public var publicKey: [UInt8]
    /// Creates the record data.
    public init(flags: UInt16, protocol: UInt8 = 3, algorithm: DNSSECAlgorithm, publicKey: [UInt8]) {
        self.flags = flags
        self.protocol = `protocol`
        self.algorithm = algorithm
        self.publicKey = publicKey
    }
    /// Whether the Zone Key flag is set.
    public var isZoneKey: Bool { flags & Self.zoneKeyFlag != 0 }
    /// Whether the REVOKE flag is set.
    public var isRevoked: Bool { flags & Self.revokeFlag != 0 }
    /// Whether the SEP flag is set.
    public var isSecureEntryPoint: Bool { flags & Self.secureEntryPointFlag != 0 }
}

/// A signature over an RRset (RFC 4034 §3).
public struct RRSIG: Hashable, Sendable {
    /// The type of the RRset signed.
    public var typeCovered: RRType
    /// The signing key's algorithm.
    public var algorithm: DNSSECAlgorithm
    /// Labels in the original owner name, root and leading `*` excluded (RFC 4034 §3.1.3).
    public var labels: UInt8
    /// The TTL of the RRset as signed.
    public var originalTTL: UInt32
    /// End of validity, seconds since the epoch modulo 2^32 (RFC 4034 §3.1.5).
    public var expiration: UInt32
    /// Start of validity, as for ``expiration``.
    public var inception: UInt32
    /// The key tag of the signing key.
    public var keyTag: UInt16
    /// The zone that signed; never compressed (RFC 4034 §3.1.7).
    public var signerName: DomainName
    /// The signature.
    public var signature: [UInt8]
    /// Creates the record data.
    public init(
        typeCovered: RRType, algorithm: DNSSECAlgorithm, labels: UInt8, originalTTL: UInt32, expiration: UInt32,
        inception: UInt32, keyTag: UInt16, signerName: DomainName, signature: [UInt8]
    ) {
        self.typeCovered = typeCovered
        self.algorithm = algorithm
        self.labels = labels
        self.originalTTL = originalTTL
        self.expiration = expiration
        self.inception = inception
        self.keyTag = keyTag
        self.signerName = signerName
        self.signature = signature
    }
}

/// Authenticated denial: the next owner in canonical order and the types at this owner (RFC 4034 §4).
public struct NSEC: Hashable, Sendable {
    /// The next owner name in the zone's canonical order; never compressed, not lowercased in
    /// canonical form (RFC 6840 §5.1).
    public var nextDomainName: DomainName
    /// The types present at the owner.
    public var types: TypeBitmap
    /// Creates the record data.
    public init(nextDomainName: DomainName, types: TypeBitmap) {
        self.nextDomainName = nextDomainName
        self.types = types
    }
}

/// Hashed authenticated denial (RFC 5155 §3).
public struct NSEC3: Hashable, Sendable {
    /// Flag bit 7: this NSEC3 may cover unsigned delegations (RFC 5155 §3.1.2.1).
    public static let optOutFlag: UInt8 = 0x01

    /// The hash algorithm; 1 is SHA-1.
    public var hashAlgorithm: UInt8
    /// The flags field.
    public var flags: UInt8
    /// Additional hash iterations.
    public var iterations: UInt16
    /// The salt, 0…255 octets.
    public var salt: [UInt8]
    /// The next hashed owner name, raw (not base32), 1…255 octets.
    public var nextHashedOwnerName: [UInt8]
    /// The types present at the original owner.
    public var types: TypeBitmap
    /// Creates the record data.
    public init(
        hashAlgorithm: UInt8, flags: UInt8, iterations: UInt16, salt: [UInt8], nextHashedOwnerName: [UInt8],
        types: TypeBitmap
    ) {
        self.hashAlgorithm = hashAlgorithm
        self.flags = flags
        self.iterations = iterations
        self.salt = salt
        self.nextHashedOwnerName = nextHashedOwnerName
        self.types = types
    }
    /// Whether the Opt-Out flag is set.
    public var isOptOut: Bool { flags & Self.optOutFlag != 0 }
}

/// The NSEC3 parameters a zone uses (RFC 5155 §4).
public struct NSEC3PARAM: Hashable, Sendable {
    /// The hash algorithm; 1 is SHA-1.
    public var hashAlgorithm: UInt8
    /// The flags field (0 in zone data).
    public var flags: UInt8
    /// Additional hash iterations.
    public var iterations: UInt16
    /// The salt, 0…255 octets.
    public var salt: [UInt8]
    /// Creates the record data.
    public init(hashAlgorithm: UInt8, flags: UInt8, iterations: UInt16, salt: [UInt8]) {
        self.hashAlgorithm = hashAlgorithm
        self.flags = flags
        self.iterations = iterations
        self.salt = salt
    }
}

// MARK: - Other types an operator reads

/// A TLS certificate association (RFC 6698 §2.1).
public struct TLSA: Hashable, Sendable {
    /// How the certificate is used.
    public var usage: UInt8
    /// Which part of the certificate is matched.
    public var selector: UInt8
    /// How it is matched.
    public var matchingType: UInt8
    /// The association data.
    public var data: [UInt8]
    /// Creates the record data.
    public init(usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8]) {
        self.usage = usage
        self.selector = selector
        self.matchingType = matchingType
        self.data = data
    }
}

/// A certification authority authorization (RFC 8659 §4.1).
public struct CAA: Hashable, Sendable {
    /// The flags; bit 0 (128) is Issuer Critical.
    public var flags: UInt8
    /// The property tag, 1…15 ASCII letters and digits.
    public var tag: [UInt8]
    /// The property value.
    public var value: [UInt8]
    /// Creates the record data.
    public init(flags: UInt8, tag: [UInt8], value: [UInt8]) {
        self.flags = flags
        self.tag = tag
        self.value = value
    }
}

/// A service binding (RFC 9460 §2.2); also the layout of HTTPS. The target is never compressed.
public struct SVCB: Hashable, Sendable {
    /// One SvcParam: a key and its wire-format value.
    public struct Parameter: Hashable, Sendable {
        /// The SvcParamKey (RFC 9460 §14.3.2).
        public var key: UInt16
        /// The value in wire format.
        public var value: [UInt8]
        /// Creates a parameter.
        public init(key: UInt16, value: [UInt8]) {
            self.key = key
            self.value = value
        }
    }

    /// 0 is AliasMode; others are ServiceMode priorities.
    public var priority: UInt16
    /// The target name; `.` means the owner.
    public var target: DomainName
    /// The parameters, in strictly increasing key order (RFC 9460 §2.2).
    public var parameters: [Parameter]
    /// Creates the record data.
    public init(priority: UInt16, target: DomainName, parameters: [Parameter]) {
        self.priority = priority
        self.target = target
        self.parameters = parameters
    }
}
