// Primary responsibilities: one DNSKEY of a zone with its key tag and, when usable, its public key decoded once
// for verification, plus the reason it cannot be used otherwise.

internal import DNSCrypto
public import DNSWire

/// A DNSKEY prepared for verification: key tag computed, flags checked, public key decoded.
public struct ZoneKey: Sendable {
    /// The zone apex that owns the key.
    public let owner: DomainName
    /// The key as published.
    public let dnskey: DNSKEY
    /// The key's tag (RFC 4034 Appendix B), cached.
    public let keyTag: UInt16
    /// The decoding state.
    let state: State

    /// Whether and how the key can verify signatures.
    enum State: Sendable {
        /// Decoded and ready.
        case decoded(PublicKey)
        /// Usable by its flags but not decoded yet (beyond ``ValidationLimits/maxKeysDecodedPerZone``); decoded
        /// each time it is tried.
        case deferred
        /// Not usable: the flags forbid it, the algorithm is unsupported, or the key field is malformed.
        case unusable(String)
    }

    /// Prepares a key.
    ///
    /// - Parameters:
    ///   - dnskey: the key.
    ///   - owner: its owner name.
    ///   - support: the algorithms considered supported.
    ///   - decode: whether to decode the public key now (otherwise on use).
    init(dnskey: DNSKEY, owner: DomainName, support: AlgorithmSupport, decode: Bool) {
        self.owner = owner
        self.dnskey = dnskey
        self.keyTag = dnskey.keyTag
        if let reason = dnskey.zoneSigningUnusableReason {
            state = .unusable(reason)
        } else if !support.supports(dnskey.algorithm) {
            state = .unusable("algorithm \(dnskey.algorithm) is not supported")
        } else if decode {
            state = Self.decode(dnskey)
        } else {
            state = .deferred
        }
    }

    /// Prepares a key for verification, decoding it at once.
    ///
    /// - Parameters:
    ///   - dnskey: the key.
    ///   - owner: the zone apex that owns it.
    ///   - support: the algorithms considered supported (the system probe by default).
    public init(dnskey: DNSKEY, owner: DomainName, support: AlgorithmSupport = .system) {
        self.init(dnskey: dnskey, owner: owner, support: support, decode: true)
    }

    /// Decodes the public key field, or says why it cannot be used (RFC 4034 §2.1.4).
    private static func decode(_ dnskey: DNSKEY) -> State {
        do {
            return .decoded(try PublicKey(algorithm: dnskey.algorithm.rawValue, publicKey: dnskey.publicKey))
        } catch {
            return .unusable("public key does not decode: \(error)")
        }
    }

    /// Whether the key may verify zone data: zone key, protocol 3, not revoked, supported and decodable.
    public var isUsable: Bool {
        if case .unusable = state { return false }
        return true
    }

    /// Why the key cannot verify zone data, or `nil` when it can.
    public var unusableReason: String? {
        if case .unusable(let reason) = state { return reason }
        return nil
    }

    /// The decoded key, decoding a deferred one now; `nil` when unusable.
    var publicKey: PublicKey? {
        switch state {
        case .decoded(let key): return key
        case .unusable: return nil
        case .deferred:
            if case .decoded(let key) = Self.decode(dnskey) { return key }
            return nil
        }
    }

    /// `tag/algorithm`, as reasons name a key.
    var label: String { "key tag \(keyTag) algorithm \(dnskey.algorithm)" }
}
