// Primary responsibilities: the RFC 5011 state machine of one managed zone — tracking its keys through
// AddPend, Valid, Missing, Revoked and Removed from each DNSKEY RRset fetched, accepting only RRsets signed by
// a key already trusted, the hold-downs, revocation, the refresh schedule — and the anchor it yields.

public import DNSWire

/// The RFC 5011 state of one zone whose trust anchors update themselves.
///
/// A value: ``update(with:now:support:limits:)`` and ``refreshFailed(now:)`` return what changed and leave the
/// new state in `self`; the caller (``TrustAnchorStore``) keeps it under its lock and persists it.
///
/// Until a refresh has validated the zone's keys, the configured ``initial`` anchor (e.g. the built-in root
/// DS records) is in force; afterwards the Valid and Missing keys are (RFC 5011 §4). Only keys with the SEP
/// flag (RFC 4034 §2.1.1) are tracked, as BIND and Unbound do: trust anchors are key-signing keys, and
/// zone-signing keys roll too often to be anchors. Keys matching the initial anchor are tracked whatever their
/// flags.
///
/// **When every trusted key is revoked** (RFC 5011 §5 calls the trust point deleted), this implementation
/// fails closed: the anchor becomes empty, so the validator finds the zone bogus rather than insecure, and
/// ``allKeysRevoked`` is true for loud reporting. RFC 5011 §5 would have data under a deleted root anchor
/// treated as insecure, which silently switches validation off; an operator must install a new anchor instead.
/// No other event ever leaves the zone without a trusted key: a key disappearing becomes Missing and stays
/// trusted (RFC 5011 §4), and nothing but an authenticated revocation ends trust in a key.
public struct ManagedTrustAnchor: Hashable, Sendable {
    /// Hold-down durations, fixed by RFC 5011 but kept as values so tests and operators can see them.
    public struct Parameters: Hashable, Sendable {
        /// The add hold-down, 30 days (RFC 5011 §2.4.1).
        public var addHoldDown: Int64
        /// The remove hold-down, 30 days (RFC 5011 §2.4.2).
        public var removeHoldDown: Int64

        /// Creates parameters.
        public init(addHoldDown: Int64 = 30 * 86400, removeHoldDown: Int64 = 30 * 86400) {
            self.addHoldDown = addHoldDown
            self.removeHoldDown = removeHoldDown
        }

        /// The RFC 5011 values.
        public static let rfc5011 = Parameters()
    }

    /// Something that changed in a refresh, for the log (RFC 5011 §4 events).
    public enum Event: Hashable, Sendable, CustomStringConvertible {
        /// A new key entered AddPend (RFC 5011 §4 "NewKey"); the hold-down ends at the given time.
        case pending(keyTag: UInt16, until: Int64)
        /// A pending key disappeared and was forgotten (RFC 5011 §4 "KeyRem" in AddPend).
        case pendingDropped(keyTag: UInt16)
        /// A key became a trust anchor: hold-down passed, or matched the initial anchor (RFC 5011 §4 "AddTime").
        case valid(keyTag: UInt16)
        /// A trusted key disappeared from the RRset and stays trusted (RFC 5011 §4 "KeyRem" in Valid).
        case missing(keyTag: UInt16)
        /// A missing key reappeared (RFC 5011 §4 "KeyPres").
        case returned(keyTag: UInt16)
        /// A key revoked itself (RFC 5011 §2.1, §4 "RevBit"); the tag is the revoked one.
        case revoked(keyTag: UInt16)
        /// A revoked key's remove hold-down passed (RFC 5011 §4 "RemTime").
        case removed(keyTag: UInt16)
        /// A removed key was forgotten after being absent for a further remove hold-down (RFC 5011 §4).
        case forgotten(keyTag: UInt16)
        /// No trusted key is left (RFC 5011 §5): the zone is bogus until an operator installs an anchor.
        case allKeysRevoked

        /// One line for the log.
        public var description: String {
            switch self {
            case .pending(let tag, let until): "key \(tag) added, pending until \(until) (RFC 5011 add hold-down)"
            case .pendingDropped(let tag): "pending key \(tag) disappeared and is forgotten"
            case .valid(let tag): "key \(tag) is now a trust anchor"
            case .missing(let tag): "trusted key \(tag) is missing from the DNSKEY RRset; still trusted"
            case .returned(let tag): "missing key \(tag) is back"
            case .revoked(let tag): "key \(tag) revoked itself and is no longer trusted"
            case .removed(let tag): "revoked key \(tag) passed the remove hold-down"
            case .forgotten(let tag): "removed key \(tag) is forgotten"
            case .allKeysRevoked:
                "ALL trust-anchor keys are revoked: the zone is bogus until a new anchor is configured"
            }
        }
    }

    /// What one refresh did.
    public struct Update: Hashable, Sendable {
        /// Whether the RRset validated from a trusted key (RFC 5011 §2.2); when false, no key was added and the
        /// refresh counts as failed for timing (RFC 5011 §2.3), though an authenticated revocation still applies.
        public var validated: Bool
        /// Whether the anchor in force (``ManagedTrustAnchor/trustAnchor``) changed: caches of validated keys
        /// for the zone must be dropped.
        public var trustedKeysChanged: Bool
        /// The state transitions, in order.
        public var events: [Event]
        /// Why the RRset did not validate, when it did not.
        public var failure: ValidationReason?
    }

    /// The managed zone.
    public var zone: DomainName
    /// The configured anchor, in force until a refresh has validated the zone's keys.
    public var initial: TrustAnchor
    /// The tracked keys.
    public var keys: [ManagedKey]
    /// The last successful refresh, epoch seconds.
    public var lastSuccess: Int64?
    /// When the next refresh is due, epoch seconds; `nil` means at once (never tried).
    public var nextRefresh: Int64?
    /// The Original TTL of the RRSIG that validated the last RRset (RFC 5011 §2.3 "OrigTTL").
    public var originalTTL: UInt32?
    /// The expiration of that RRSIG, epoch seconds (RFC 5011 §2.3 "RRSigExpirationInterval" is measured to it).
    public var signatureExpiration: Int64?
    /// Failed refreshes since the last success.
    public var failures: Int
    /// The hold-downs.
    public var parameters: Parameters

    /// Starts managing `initial.owner` from a configured anchor (RFC 5011 §2: the anchor the operator
    /// configured is the first trust point).
    public init(initial: TrustAnchor, parameters: Parameters = .rfc5011) {
        self.zone = initial.owner
        self.initial = initial
        self.keys = []
        self.lastSuccess = nil
        self.nextRefresh = nil
        self.originalTTL = nil
        self.signatureExpiration = nil
        self.failures = 0
        self.parameters = parameters
    }

    /// Takes the keys and times of a saved state (RFC 5011 §2.4: hold-downs survive restarts), keeping the
    /// configured initial anchor and the parameters.
    public mutating func restore(_ saved: TrustAnchorStateFormat.ZoneState) {
        keys = saved.keys
        lastSuccess = saved.lastSuccess
        nextRefresh = saved.nextRefresh
        originalTTL = saved.originalTTL
        signatureExpiration = saved.signatureExpiration
        failures = saved.failures
    }

    /// The anchor in force: the initial one until keys are tracked, then the Valid and Missing keys
    /// (RFC 5011 §4); empty when every one was revoked (see the type's discussion).
    public var trustAnchor: TrustAnchor {
        guard !keys.isEmpty else { return initial }
        return TrustAnchor(owner: zone, dnskeys: keys.filter { $0.state.isTrusted }.map(\.dnskey))
    }

    /// True when keys are tracked and none is trusted (RFC 5011 §5): to be reported loudly.
    public var allKeysRevoked: Bool { !keys.isEmpty && !keys.contains { $0.state.isTrusted } }

    /// When the next refresh is due as seen at `now` (RFC 5011 §2.3): at once when never tried, or when the
    /// scheduled time lies further ahead than the longest interval RFC 5011 §2.3 allows (15 days) — the clock
    /// went back, and waiting for the old schedule could stop refreshes for as long as it jumped.
    public func refreshTime(now: Int64) -> Int64 {
        guard let nextRefresh, nextRefresh - now <= RefreshSchedule.maximumQueryInterval else { return now }
        return nextRefresh
    }

    /// Whether a refresh is due at `now` (RFC 5011 §2.3), see ``refreshTime(now:)``.
    public func isRefreshDue(now: Int64) -> Bool { now >= refreshTime(now: now) }

    // MARK: - Refresh

    /// Applies a DNSKEY RRset (with its RRSIGs) fetched for the zone (RFC 5011 §2.3 active refresh).
    ///
    /// 1. Revocations: a tracked key (or one matching the initial anchor) published with the REVOKE bit and
    ///    whose own RRSIG over the RRset verifies becomes Revoked at once (RFC 5011 §2.1); a REVOKE bit without
    ///    that self-signature changes nothing.
    /// 2. The RRset must validate from a key trusted now — the initial anchor, or Valid and Missing keys
    ///    (RFC 5011 §2.2); otherwise nothing else changes and the refresh counts as failed.
    /// 3. Present SEP keys: new → AddPend with the add hold-down of MAX(30 days, OrigTTL) (RFC 5011 §2.4.1);
    ///    AddPend past its hold-down → Valid; Missing → Valid. Keys matching the initial anchor become Valid at
    ///    the first validated refresh. Revoked and Removed keys are never trusted again (RFC 5011 §2.1).
    /// 4. Absent keys: AddPend → forgotten, so a key must be present for the whole hold-down (RFC 5011
    ///    §2.4.1); Valid → Missing (RFC 5011 §4); Removed keys absent for a remove hold-down are forgotten.
    /// 5. Revoked keys past the remove hold-down → Removed (RFC 5011 §2.4.2).
    /// 6. The next refresh is scheduled (RFC 5011 §2.3).
    ///
    /// - Parameters:
    ///   - dnskeys: the zone's DNSKEY RRset with its RRSIGs, as fetched.
    ///   - now: epoch seconds.
    ///   - support: the algorithms and digests usable.
    ///   - limits: the work limits of validation.
    public mutating func update(
        with dnskeys: RRSet, now: Int64, support: AlgorithmSupport = .system, limits: ValidationLimits = .default
    ) -> Update {
        let before = trustAnchor
        var events: [Event] = []
        guard dnskeys.type == .dnskey, dnskeys.name == zone else {
            return finishFailed(
                now: now, before: before, events: events,
                reason: ValidationReason(
                    bogus: .dnskeyMissing, site: "M5WR",
                    "RFC 5011 refresh of \(zone) got \(dnskeys.type) "
                        + "at \(dnskeys.name)"))
        }
        let published = dnskeys.rdatas.compactMap { rdata -> DNSKEY? in
            if case .dnskey(let key) = rdata { return key }
            return nil
        }
        let bootstrapping = keys.isEmpty

        // 1. RFC 5011 §2.1: authenticated revocations apply at once.
        for key in published where key.isRevoked {
            if let index = keys.firstIndex(where: { $0.isSameKey(as: key) }) {
                guard [.valid, .missing, .addPend].contains(keys[index].state) else { continue }
                guard RevocationSignature.isSelfSigned(key, in: dnskeys, zone: zone, now: now, limits: limits)
                else { continue }
                keys[index].dnskey = key
                keys[index].transition(to: .revoked, now: now, holdDownEnd: now + parameters.removeHoldDown)
                events.append(.revoked(keyTag: key.keyTag))
            } else if bootstrapping || !keys.contains(where: { $0.state.isTrusted }), matchesInitial(unrevoked(key)),
                RevocationSignature.isSelfSigned(key, in: dnskeys, zone: zone, now: now, limits: limits)
            {
                // A configured key revoked before its first refresh: remember it so it is never trusted.
                keys.append(
                    ManagedKey(
                        dnskey: key, state: .revoked, firstSeen: now, lastChange: now,
                        holdDownEnd: now + parameters.removeHoldDown))
                events.append(.revoked(keyTag: key.keyTag))
            }
        }
        if !events.isEmpty, allKeysRevoked { events.append(.allKeysRevoked) }

        // 2. RFC 5011 §2.2: the RRset must validate from a key trusted before this refresh.
        let trusted = keys.isEmpty || bootstrapping ? initialWithoutRevoked() : trustAnchor
        guard !trusted.isEmpty else {
            return finishFailed(
                now: now, before: before, events: events,
                reason: ValidationReason(
                    bogus: .dnskeyMissing, site: "M5RV", "every trust-anchor key of \(zone) is revoked"))
        }
        var budget = ValidationBudget(limits: limits)
        let outcome = DNSKEYValidator.validate(
            dnskeys, anchor: trusted, now: UInt32(truncatingIfNeeded: now), limits: limits, support: support,
            budget: &budget)
        guard case .secure(let validated) = outcome else {
            let reason =
                outcome.reason
                ?? ValidationReason(bogus: .dnssecBogus, site: "M5NV", "the DNSKEY RRset of \(zone) did not validate")
            return finishFailed(now: now, before: before, events: events, reason: reason)
        }
        let signature = validated.rrset.signature
        let current = SerialNumber(UInt32(truncatingIfNeeded: now))
        let expiration = now + Int64(current.seconds(until: SerialNumber(signature.expiration)))
        let addHoldDown = max(parameters.addHoldDown, Int64(signature.originalTTL))

        // 3. Keys present in the validated RRset.
        for key in published where !key.isRevoked && key.isZoneKey {
            if let index = keys.firstIndex(where: { $0.isSameKey(as: key) }) {
                switch keys[index].state {
                case .addPend:
                    if let end = keys[index].holdDownEnd, now >= end {
                        keys[index].transition(to: .valid, now: now, holdDownEnd: nil)
                        events.append(.valid(keyTag: key.keyTag))
                    }
                case .missing:
                    keys[index].transition(to: .valid, now: now, holdDownEnd: nil)
                    events.append(.returned(keyTag: key.keyTag))
                case .start, .valid, .revoked, .removed:
                    break
                }
            } else if bootstrapping && matchesInitial(key) {
                keys.append(ManagedKey(dnskey: key, state: .valid, firstSeen: now, lastChange: now, holdDownEnd: nil))
                events.append(.valid(keyTag: key.keyTag))
            } else if key.isSecureEntryPoint {
                keys.append(
                    ManagedKey(
                        dnskey: key, state: .addPend, firstSeen: now, lastChange: now, holdDownEnd: now + addHoldDown))
                events.append(.pending(keyTag: key.keyTag, until: now + addHoldDown))
            }
        }

        // 4 and 5. Keys absent from the RRset; hold-downs of revoked and removed keys.
        var kept: [ManagedKey] = []
        for var key in keys {
            // Pending and trusted keys count as present only as they are (a REVOKE bit that is not self-signed
            // is not this key, RFC 5011 §2.1); a removed key counts in either form, so it is never re-added.
            let present = published.contains(key.dnskey)
            switch key.state {
            case .addPend where !present:
                events.append(.pendingDropped(keyTag: key.keyTag))
                continue
            case .valid where !present:
                key.transition(to: .missing, now: now, holdDownEnd: nil)
                events.append(.missing(keyTag: key.keyTag))
            case .revoked:
                if let end = key.holdDownEnd, now >= end {
                    key.transition(to: .removed, now: now, holdDownEnd: now + parameters.removeHoldDown)
                    events.append(.removed(keyTag: key.keyTag))
                }
            case .removed:
                if published.contains(where: { key.isSameKey(as: $0) }) {
                    key.holdDownEnd = now + parameters.removeHoldDown
                } else if let end = key.holdDownEnd, now >= end {
                    events.append(.forgotten(keyTag: key.keyTag))
                    continue
                }
            default:
                break
            }
            kept.append(key)
        }
        keys = kept

        // 6. RFC 5011 §2.3: the next refresh.
        lastSuccess = now
        failures = 0
        originalTTL = signature.originalTTL
        signatureExpiration = expiration
        nextRefresh =
            now
            + RefreshSchedule.queryInterval(originalTTL: signature.originalTTL, expirationInterval: expiration - now)
        return Update(validated: true, trustedKeysChanged: trustAnchor != before, events: events, failure: nil)
    }

    /// Records a refresh that got no usable answer (timeout, SERVFAIL, no DNSKEY RRset) and schedules the retry
    /// (RFC 5011 §2.3 retryTime).
    public mutating func refreshFailed(now: Int64) {
        failures += 1
        nextRefresh = now + retryInterval(now: now)
    }

    /// The retry interval at `now` from what the last success taught (RFC 5011 §2.3).
    func retryInterval(now: Int64) -> Int64 {
        RefreshSchedule.retryInterval(
            originalTTL: originalTTL, expirationInterval: signatureExpiration.map { $0 - now })
    }

    /// Ends a refresh whose RRset did not validate: revocations already applied stay, the retry is scheduled.
    private mutating func finishFailed(
        now: Int64, before: TrustAnchor, events: [Event], reason: ValidationReason
    ) -> Update {
        refreshFailed(now: now)
        return Update(validated: false, trustedKeysChanged: trustAnchor != before, events: events, failure: reason)
    }

    /// Whether `key` is authenticated by the configured initial anchor: equal to a DNSKEY anchor or matching a
    /// DS anchor (RFC 4034 §5.2).
    private func matchesInitial(_ key: DNSKEY) -> Bool {
        initial.dnskeys.contains(key) || initial.ds.contains { $0.matches(key, owner: zone) }
    }

    /// The initial anchor without keys already known revoked, for validating the first refresh.
    private func initialWithoutRevoked() -> TrustAnchor {
        let revoked = keys.filter { !$0.state.isTrusted }
        guard !revoked.isEmpty else { return initial }
        var anchor = initial
        anchor.dnskeys.removeAll { key in revoked.contains { $0.isSameKey(as: key) } }
        anchor.ds.removeAll { ds in revoked.contains { ds.matches(unrevoked($0.dnskey), owner: zone) } }
        return anchor
    }

    /// `key` with the REVOKE bit cleared: the form a DS or DNSKEY anchor names (RFC 5011 §2.1).
    private func unrevoked(_ key: DNSKEY) -> DNSKEY {
        var copy = key
        copy.flags &= ~DNSKEY.revokeFlag
        return copy
    }
}
