// Primary responsibilities: checking one RRSIG against one RRset and a zone's keys, in the order RFC 4035
// §5.3.1–5.3.3 gives — type, signer, labels, validity period, key — then the signature itself, charging the
// query's budget before each verification; and ranking failures so the most telling one is reported.

internal import DNSCrypto
public import DNSWire

/// Verification of a single RRSIG over an RRset (RFC 4035 §5.3).
public enum RRSIGVerifier {
    /// Checks `rrsig` over `rrset` with the keys of the signer's zone (RFC 4035 §5.3.1–5.3.3).
    ///
    /// The RRSIG must cover the RRset's type, name the zone of `keys` as signer, that zone must be the owner or
    /// an ancestor of it, its Labels field must not exceed the owner's label count, the current time must lie in
    /// its validity period (serial arithmetic, RFC 4034 §3.1.5, widened by ``ValidationLimits/clockSkew``), and
    /// a usable key with its key tag and algorithm must verify the signature over the canonical RRset
    /// (RFC 4034 §3.1.8.1). At most ``ValidationLimits/maxKeysPerKeyTag`` keys are tried, each verification
    /// charged to `budget` first.
    ///
    /// - Parameters:
    ///   - rrsig: the signature to check; the caller pairs it with the RRset (same owner and class).
    ///   - rrset: the data.
    ///   - keys: the validated keys of the signer's zone.
    ///   - now: seconds since 1970 modulo 2³².
    ///   - limits: the work limits and clock skew.
    ///   - support: the supported algorithms.
    ///   - budget: the query's remaining allowance, charged per verification.
    /// - Returns: secure with the validated RRset; insecure (EDE 1) when the RRSIG's algorithm is unsupported;
    ///   bogus with the reason otherwise.
    public static func verify(
        _ rrsig: RRSIG, over rrset: RRSet, keys: ZoneKeySet, now: UInt32, limits: ValidationLimits = .default,
        support: AlgorithmSupport = .system, budget: inout ValidationBudget
    ) -> ValidationOutcome<ValidatedRRSet> {
        switch attempt(rrsig, over: rrset, keys: keys, now: now, limits: limits, support: support, budget: &budget) {
        case .validated(let validated): .secure(validated)
        case .unsupported(let reason): .insecure(reason)
        case .failed(let failure): .bogus(failure.reason)
        case .limitReached(let reason): .bogus(reason)
        }
    }

    // MARK: - Attempt

    /// What checking one RRSIG found.
    enum Attempt {
        /// The RRSIG validates the RRset.
        case validated(ValidatedRRSet)
        /// The RRSIG's algorithm is not supported: it is ignored (RFC 6840 §5.2).
        case unsupported(ValidationReason)
        /// The RRSIG does not validate the RRset, for the ranked reason given.
        case failed(Failure)
        /// A work limit stopped the check: validation must stop (KeyTrap).
        case limitReached(ValidationReason)
    }

    /// A failure and how telling it is, so a set with several RRSIGs reports the most informative one.
    struct Failure {
        /// How telling the failure is: higher ranks win.
        enum Rank: Int, Comparable {
            /// The RRSIG covers another type: it does not even belong here.
            case wrongType = 1
            /// The RRSIG does not fit the RRset or zone (signer, labels).
            case mismatch = 2
            /// No usable key has the RRSIG's key tag and algorithm.
            case noKey = 3
            /// The RRSIG is outside its validity period.
            case period = 4
            /// A key matched and the signature does not verify.
            case signature = 5

            /// Orders by how telling.
            static func < (lhs: Rank, rhs: Rank) -> Bool { lhs.rawValue < rhs.rawValue }
        }

        /// The reason to report.
        let reason: ValidationReason
        /// Its rank.
        let rank: Rank
    }

    /// Runs the RFC 4035 §5.3.1 checks, then the crypto (§5.3.3).
    static func attempt(
        _ rrsig: RRSIG, over rrset: RRSet, keys: ZoneKeySet, now: UInt32, limits: ValidationLimits,
        support: AlgorithmSupport, budget: inout ValidationBudget
    ) -> Attempt {
        /// Names the RRSIG in reasons; built only when a reason is, so success costs no string work.
        func subject() -> String {
            "RRSIG \(rrset.type) \(rrset.name) by \(rrsig.signerName) key tag \(rrsig.keyTag) "
                + "algorithm \(rrsig.algorithm)"
        }
        // RFC 4035 §5.3.1: the Type Covered field equals the RRset's type.
        guard rrsig.typeCovered == rrset.type else {
            return .failed(
                Failure(
                    reason: ValidationReason(
                        bogus: .dnssecBogus, site: "RTYP", "\(subject()) covers type \(rrsig.typeCovered)"),
                    rank: .wrongType))
        }
        // RFC 4035 §5.3.1: the Signer's Name is the zone that contains the RRset, which is the owner or an
        // ancestor of it; the keys are that zone's.
        guard rrsig.signerName == keys.zone else {
            return .failed(
                Failure(
                    reason: ValidationReason(
                        bogus: .dnssecBogus, site: "RSGN",
                        "\(subject()): signer is not the zone \(keys.zone) being validated"),
                    rank: .mismatch))
        }
        guard rrset.name.isSubdomain(of: rrsig.signerName) else {
            return .failed(
                Failure(
                    reason: ValidationReason(
                        bogus: .dnssecBogus, site: "RSGA", "\(subject()): signer is not the owner or an ancestor of it"),
                    rank: .mismatch))
        }
        // RFC 4035 §5.3.1: the owner has at least as many labels as the Labels field.
        guard Int(rrsig.labels) <= rrset.name.labelCount else {
            return .failed(
                Failure(
                    reason: ValidationReason(
                        bogus: .dnssecBogus, site: "RLAB",
                        "\(subject()): Labels field \(rrsig.labels) exceeds the owner's \(rrset.name.labelCount) labels"
                    ),
                    rank: .mismatch))
        }
        // RFC 4035 §5.2, RFC 6840 §5.2: an unsupported algorithm makes the RRSIG unusable, not wrong.
        guard support.supports(rrsig.algorithm) else {
            return .unsupported(
                ValidationReason(
                    insecure: .unsupportedDNSKEYAlgorithm, site: "RALG", "\(subject()): algorithm not supported"))
        }
        // RFC 4035 §5.3.1, RFC 4034 §3.1.5: inception ≤ now ≤ expiration in serial-number arithmetic.
        let inception = SerialNumber(rrsig.inception)
        let expiration = SerialNumber(rrsig.expiration)
        let current = SerialNumber(now)
        guard inception <= expiration else {
            return .failed(
                Failure(
                    reason: ValidationReason(
                        bogus: .signatureExpiredBeforeValid, site: "RWIN",
                        "\(subject()): expiration \(expiration) is before inception \(inception)"),
                    rank: .period))
        }
        guard inception <= current.adding(limits.clockSkew) else {
            return .failed(
                Failure(
                    reason: ValidationReason(
                        bogus: .signatureNotYetValid, site: "RNYV",
                        "\(subject()): not valid before \(inception), now is \(current)"),
                    rank: .period))
        }
        guard current.subtracting(limits.clockSkew) <= expiration else {
            return .failed(
                Failure(
                    reason: ValidationReason(
                        bogus: .signatureExpired, site: "REXP",
                        "\(subject()): expired at \(expiration), now is \(current)"),
                    rank: .period))
        }
        // RFC 4035 §5.3.1: a DNSKEY at the signer with this algorithm and key tag, Zone Key flag set.
        let candidates = keys.candidates(keyTag: rrsig.keyTag, algorithm: rrsig.algorithm)
        let usable = candidates.filter(\.isUsable)
        guard !usable.isEmpty else {
            if let first = candidates.first {
                let code: EDECode = first.dnskey.isZoneKey ? .dnskeyMissing : .noZoneKeyBitSet
                return .failed(
                    Failure(
                        reason: ValidationReason(
                            bogus: code, site: "RKUN",
                            "\(subject()): the matching DNSKEY is unusable: \(first.unusableReason ?? "")"
                        ),
                        rank: .noKey))
            }
            return .failed(
                Failure(
                    reason: ValidationReason(
                        bogus: .dnskeyMissing, site: "RKEY", "\(subject()): no DNSKEY of \(keys.zone) matches"),
                    rank: .noKey))
        }
        // RFC 4035 §5.3.2–5.3.3: rebuild the signed data once, then try the keys.
        let data = rrset.signedData(for: rrsig)
        var tried = 0
        for key in usable {
            guard tried < limits.maxKeysPerKeyTag else {
                return .limitReached(
                    ValidationReason(
                        bogus: .dnssecBogus, site: "RKTL",
                        "\(subject()): \(usable.count) keys share the key tag; gave up after \(tried) "
                            + "(maxKeysPerKeyTag)"))
            }
            guard let publicKey = key.publicKey else { continue }
            if let exhausted = budget.chargeVerification(cost: publicKey.verificationCost) {
                return .limitReached(
                    exhausted.prefixed("\(subject()): "))
            }
            tried += 1
            if publicKey.verify(signature: rrsig.signature, over: data) {
                return .validated(
                    ValidatedRRSet(
                        rrset: rrset, ttl: cappedTTL(rrset: rrset, rrsig: rrsig, now: current), signature: rrsig,
                        keyTag: key.keyTag,
                        wildcard: WildcardExpansion(owner: rrset.name, labels: Int(rrsig.labels))))
            }
        }
        return .failed(
            Failure(
                reason: ValidationReason(bogus: .dnssecBogus, site: "RSIG", "\(subject()): signature does not verify"),
                rank: .signature))
    }

    /// RFC 4035 §5.3.3: the TTL of the validated RRset is at most the RRSIG's Original TTL, and the data must
    /// not outlive the signature (the time left until expiration).
    static func cappedTTL(rrset: RRSet, rrsig: RRSIG, now: SerialNumber) -> UInt32 {
        min(rrset.ttl, rrsig.originalTTL, now.seconds(until: SerialNumber(rrsig.expiration)))
    }
}
