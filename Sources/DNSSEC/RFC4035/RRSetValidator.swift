// Primary responsibilities: validating an RRset with the keys of its zone (RFC 4035 §5.3): trying its RRSIGs in
// order under the KeyTrap limits, secure when any one verifies, and otherwise the most telling reason.

public import DNSWire

/// Validation of a whole RRset by any of its RRSIGs (RFC 4035 §5.3, RFC 6840 §5.11).
public enum RRSetValidator {
    /// Validates `rrset` with the keys of its zone.
    ///
    /// RRSIGs are tried in the order received; the first that verifies makes the RRset secure (RFC 6840
    /// §5.11: any single valid path suffices, all algorithms are not required). RRSIGs by unsupported
    /// algorithms are skipped (RFC 6840 §5.2). At most ``ValidationLimits/maxRRSIGsPerRRSet`` RRSIGs by
    /// supported algorithms are tried; any work limit stops validation at once (KeyTrap).
    ///
    /// Outcomes:
    /// - secure with the ``ValidatedRRSet`` (TTL capped, wildcard expansion surfaced);
    /// - insecure (EDE 1) when every RRSIG is by an unsupported algorithm *and* the zone has no usable key of a
    ///   supported algorithm: the zone itself is then outside what this validator can check (RFC 4035 §5.2,
    ///   RFC 6840 §5.2). When the zone does have usable keys, unsupported-only RRSIGs are a downgrade attempt
    ///   or a broken signer (RFC 4035 §2.2 requires an RRSIG per algorithm in the DNSKEY RRset) and are bogus;
    /// - bogus with EDE 10 when there is no RRSIG at all, otherwise with the most telling failure (a signature
    ///   that does not verify, then an expired or not yet valid one, then a missing key, then a mismatch).
    ///
    /// - Parameters:
    ///   - rrset: the data, with the RRSIGs that came with it.
    ///   - keys: the validated keys of the zone that signed it.
    ///   - now: seconds since 1970 modulo 2³².
    ///   - limits: the work limits and clock skew.
    ///   - support: the supported algorithms.
    ///   - budget: the query's remaining allowance.
    public static func validate(
        _ rrset: RRSet, keys: ZoneKeySet, now: UInt32, limits: ValidationLimits = .default,
        support: AlgorithmSupport = .system, budget: inout ValidationBudget
    ) -> ValidationOutcome<ValidatedRRSet> {
        guard !rrset.signatures.isEmpty else {
            return .bogus(
                ValidationReason(
                    bogus: .rrsigsMissing, site: "VNON", "no RRSIG covers \(rrset.type) \(rrset.name) in \(keys.zone)")
            )
        }
        var best: RRSIGVerifier.Failure? = nil
        var unsupported: ValidationReason? = nil
        var tried = 0
        // Bounded by the RRset's RRSIG count (parser-limited) and, for the costly part, maxRRSIGsPerRRSet.
        for rrsig in rrset.signatures {
            if rrsig.typeCovered == rrset.type, rrsig.signerName == keys.zone, support.supports(rrsig.algorithm) {
                guard tried < limits.maxRRSIGsPerRRSet else {
                    let detail = best.map { "; last failure: \($0.reason.detail)" } ?? ""
                    return .bogus(
                        ValidationReason(
                            bogus: .dnssecBogus, site: "VMAX",
                            "\(rrset.type) \(rrset.name): gave up after \(tried) RRSIGs (maxRRSIGsPerRRSet)\(detail)"))
                }
                tried += 1
            }
            switch RRSIGVerifier.attempt(
                rrsig, over: rrset, keys: keys, now: now, limits: limits, support: support, budget: &budget)
            {
            case .validated(let validated):
                return .secure(validated)
            case .unsupported(let reason):
                unsupported = unsupported ?? reason
            case .failed(let failure):
                if best == nil || best!.rank < failure.rank { best = failure }
            case .limitReached(let reason):
                return .bogus(reason)
            }
        }
        if let best { return .bogus(best.reason) }
        let zoneHasSupportedKey = keys.keys.contains { $0.isUsable }
        if let unsupported, !zoneHasSupportedKey { return .insecure(unsupported) }
        return .bogus(
            ValidationReason(
                bogus: .rrsigsMissing, site: "VUNS",
                "\(rrset.type) \(rrset.name): only RRSIGs by unsupported algorithms, although \(keys.zone) has "
                    + "usable keys"))
    }
}
