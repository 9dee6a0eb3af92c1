// Primary responsibilities: tests of RFC 5011 automated trust-anchor updates with DNSKEY RRsets really signed
// by ldns-signzone — add hold-down and its reset, revocation (accepted only when self-signed), remove
// hold-down, keys not signed by a trusted key, refresh timing, and a 60-day rollover on a manual clock.

import DNSSEC
import DNSWire
import Testing

@Suite("RFC 5011 managed trust anchors")
struct TrustAnchorRFC5011Tests {
    /// A managed anchor that has done its first refresh with {K1, Z} at `Managed.start`.
    static func bootstrapped() throws -> ManagedTrustAnchor {
        var anchor = ManagedTrustAnchor(initial: try Managed.initialAnchor())
        let update = anchor.update(with: try Managed.rrset("k1"), now: Managed.start)
        #expect(update.validated, "\(update.failure?.description ?? "")")
        return anchor
    }

    /// A managed anchor trusting K1 and K2 (K2 added through a full hold-down), at `start + 32 days`.
    static func trustingBoth() throws -> ManagedTrustAnchor {
        var anchor = try bootstrapped()
        let both = try Managed.rrset("k1-k2")
        _ = anchor.update(with: both, now: Managed.start + Managed.day)
        _ = anchor.update(with: both, now: Managed.start + 32 * Managed.day)
        #expect(anchor.state(of: try Managed.k2()) == .valid)
        return anchor
    }

    // MARK: - First refresh

    /// The first refresh validates from the configured DS: K1 (which the DS names) becomes Valid at once and
    /// is then the anchor; the zone-signing key is not tracked (only SEP keys are).
    @Test func firstRefreshTrustsConfiguredKey() throws {
        var anchor = ManagedTrustAnchor(initial: try Managed.initialAnchor())
        #expect(anchor.trustAnchor == (try Managed.initialAnchor()))
        #expect(anchor.isRefreshDue(now: 0))
        let update = anchor.update(with: try Managed.rrset("k1"), now: Managed.start)
        #expect(update.validated)
        #expect(update.events == [.valid(keyTag: try Managed.k1().keyTag)])
        #expect(anchor.state(of: try Managed.k1()) == .valid)
        #expect(anchor.state(of: try Managed.zsk()) == nil)
        #expect(anchor.trustAnchor == TrustAnchor(owner: Managed.zone, dnskeys: [try Managed.k1()]))
        #expect(Managed.validates(try Managed.rrset("k1"), from: anchor.trustAnchor, now: Managed.start))
    }

    // MARK: - Add hold-down (RFC 5011 §2.4.1)

    /// A new key signed by the trusted key becomes Valid only after 30 days of continuous presence.
    @Test func addHoldDown() throws {
        var anchor = try Self.bootstrapped()
        let k2 = try Managed.k2()
        let both = try Managed.rrset("k1-k2")
        let added = Managed.start + Managed.day
        let first = anchor.update(with: both, now: added)
        #expect(first.validated)
        #expect(first.events == [.pending(keyTag: k2.keyTag, until: added + 30 * Managed.day)])
        #expect(!first.trustedKeysChanged)
        #expect(anchor.state(of: k2) == .addPend)
        for day in stride(from: Int64(1), through: 29, by: 1) {
            let update = anchor.update(with: both, now: added + day * Managed.day)
            #expect(update.validated)
            #expect(anchor.state(of: k2) == .addPend, "day \(day)")
            #expect(!anchor.trustAnchor.dnskeys.contains(k2))
        }
        let end = anchor.update(with: both, now: added + 30 * Managed.day)
        #expect(end.events == [.valid(keyTag: k2.keyTag)])
        #expect(end.trustedKeysChanged)
        #expect(anchor.trustAnchor.dnskeys == [try Managed.k1(), k2])
        // K2 alone now validates the RRset that no longer has K1.
        #expect(Managed.validates(try Managed.rrset("k2"), from: anchor.trustAnchor, now: added + 30 * Managed.day))
    }

    /// A pending key that disappears is forgotten; when it comes back, the hold-down starts again.
    @Test func disappearingDuringHoldDownResets() throws {
        var anchor = try Self.bootstrapped()
        let k2 = try Managed.k2()
        _ = anchor.update(with: try Managed.rrset("k1-k2"), now: Managed.start + Managed.day)
        let gone = anchor.update(with: try Managed.rrset("k1"), now: Managed.start + 20 * Managed.day)
        #expect(gone.events == [.pendingDropped(keyTag: k2.keyTag)])
        #expect(anchor.state(of: k2) == nil)
        let back = Managed.start + 21 * Managed.day
        _ = anchor.update(with: try Managed.rrset("k1-k2"), now: back)
        #expect(anchor.keys.first { $0.dnskey == k2 }?.holdDownEnd == back + 30 * Managed.day)
        _ = anchor.update(with: try Managed.rrset("k1-k2"), now: Managed.start + 32 * Managed.day)
        #expect(anchor.state(of: k2) == .addPend, "31 days after first seen but only 11 after its return")
        _ = anchor.update(with: try Managed.rrset("k1-k2"), now: back + 30 * Managed.day)
        #expect(anchor.state(of: k2) == .valid)
    }

    /// A DNSKEY RRset signed only by a key that is not trusted adds nothing (RFC 5011 §2.2), however long it
    /// is seen, and counts as a failed refresh.
    @Test func keyNotSignedByTrustedKeyIsNeverAdded() throws {
        var anchor = try Self.bootstrapped()
        let k3 = try Managed.k3()
        let forged = try Managed.rrset("k1-k3-by-k3")
        for day in stride(from: Int64(1), through: 60, by: 1) {
            let update = anchor.update(with: forged, now: Managed.start + day * Managed.day)
            #expect(!update.validated)
            #expect(update.failure != nil)
            #expect(update.events.isEmpty)
        }
        #expect(anchor.state(of: k3) == nil)
        #expect(anchor.trustAnchor.dnskeys == [try Managed.k1()])
        #expect(anchor.failures == 60)
    }

    /// An RRset whose signature by the trusted key was tampered with adds nothing either.
    @Test func tamperedSignatureAddsNothing() throws {
        var anchor = try Self.bootstrapped()
        var both = try Managed.rrset("k1-k2")
        let k1Tag = try Managed.k1().keyTag
        both.signatures = both.signatures.compactMap { rrsig in
            guard rrsig.keyTag == k1Tag else { return nil }
            var copy = rrsig
            copy.signature = flipping(copy.signature, at: 10)
            return copy
        }
        let update = anchor.update(with: both, now: Managed.start + Managed.day)
        #expect(!update.validated)
        #expect(anchor.state(of: try Managed.k2()) == nil)
    }

    /// A DNSKEY RRset for another owner is refused.
    @Test func wrongOwnerIsRefused() throws {
        var anchor = try Self.bootstrapped()
        var other = try Managed.rrset("k1-k2")
        other.name = DomainName(stringLiteral: "other.example.")
        #expect(!anchor.update(with: other, now: Managed.start + Managed.day).validated)
    }

    // MARK: - Revocation (RFC 5011 §2.1) and remove hold-down (§2.4.2)

    /// A trusted key published with the REVOKE bit and self-signed is revoked at once, with no hold-down,
    /// stops being an anchor, and after 30 days is Removed; it is forgotten after another 30 days absent.
    @Test func selfSignedRevocationIsImmediate() throws {
        var anchor = try Self.trustingBoth()
        let k1 = try Managed.k1()
        let revokedAt = Managed.start + 40 * Managed.day
        let update = anchor.update(with: try Managed.rrset("k1rev-k2"), now: revokedAt)
        #expect(update.validated)
        #expect(update.events == [.revoked(keyTag: try Managed.k1Revoked().keyTag)])
        #expect(update.trustedKeysChanged)
        #expect(anchor.state(of: k1) == .revoked)
        #expect(try Managed.k1Revoked().keyTag != k1.keyTag, "the REVOKE bit changes the key tag")
        #expect(anchor.trustAnchor.dnskeys == [try Managed.k2()])
        #expect(!Managed.validates(try Managed.rrset("k1"), from: anchor.trustAnchor, now: revokedAt))

        _ = anchor.update(with: try Managed.rrset("k2"), now: revokedAt + 29 * Managed.day)
        #expect(anchor.state(of: k1) == .revoked)
        let removed = anchor.update(with: try Managed.rrset("k2"), now: revokedAt + 30 * Managed.day)
        #expect(removed.events == [.removed(keyTag: try Managed.k1Revoked().keyTag)])
        #expect(anchor.state(of: k1) == .removed)
        #expect(!removed.trustedKeysChanged)
        let forgotten = anchor.update(with: try Managed.rrset("k2"), now: revokedAt + 60 * Managed.day)
        #expect(forgotten.events == [.forgotten(keyTag: try Managed.k1Revoked().keyTag)])
        #expect(anchor.keys.map(\.dnskey) == [try Managed.k2()])
    }

    /// A revoked key is never trusted again, even when it is published again without the bit.
    @Test func revokedKeyIsNeverReadded() throws {
        var anchor = try Self.trustingBoth()
        _ = anchor.update(with: try Managed.rrset("k1rev-k2"), now: Managed.start + 40 * Managed.day)
        for day in stride(from: Int64(41), through: 120, by: 10) {
            _ = anchor.update(with: try Managed.rrset("k1-k2"), now: Managed.start + day * Managed.day)
            #expect(!anchor.trustAnchor.dnskeys.contains(try Managed.k1()), "day \(day)")
        }
    }

    /// A key with the REVOKE bit whose RRSIG was made without the bit (the unrevoked key tag, over the RRset)
    /// is not a revocation: only a signature by the revoked key itself is (RFC 5011 §2.1). With K2 trusted the
    /// RRset still validates, and K1 — absent in its unrevoked form — is only Missing and still trusted.
    @Test func revocationWithoutSelfSignatureIsIgnored() throws {
        let k1 = try Managed.k1()
        let notSelfSigned = try Managed.rrset("k1rev-by-k1")

        var onlyK1 = try Self.bootstrapped()
        let alone = onlyK1.update(with: notSelfSigned, now: Managed.start + Managed.day)
        #expect(!alone.validated)
        #expect(onlyK1.state(of: k1) == .valid)
        #expect(onlyK1.trustAnchor.dnskeys == [k1])

        var both = try Self.trustingBoth()
        let update = both.update(with: notSelfSigned, now: Managed.start + 40 * Managed.day)
        #expect(update.validated)
        #expect(!update.events.contains(.revoked(keyTag: try Managed.k1Revoked().keyTag)))
        #expect(both.state(of: k1) == .missing)
        #expect(both.trustAnchor.dnskeys.contains(k1))
    }

    /// Revoking the last trusted key is honoured and reported loudly; the anchor is then empty, so the zone is
    /// bogus (fail closed) and nothing can be added any more.
    @Test func revokingEveryKeyFailsClosed() throws {
        var anchor = try Self.bootstrapped()
        let update = anchor.update(with: try Managed.rrset("k1rev"), now: Managed.start + Managed.day)
        #expect(update.events == [.revoked(keyTag: try Managed.k1Revoked().keyTag), .allKeysRevoked])
        #expect(anchor.allKeysRevoked)
        #expect(anchor.trustAnchor.isEmpty)
        var budget = ValidationBudget()
        let outcome = DNSKEYValidator.validate(
            try Managed.rrset("k2"), anchor: anchor.trustAnchor, now: UInt32(Managed.start), budget: &budget)
        #expect(outcome.status == .bogus)
        let later = anchor.update(with: try Managed.rrset("k2"), now: Managed.start + 40 * Managed.day)
        #expect(!later.validated)
        #expect(anchor.state(of: try Managed.k2()) == nil)
    }

    /// A trusted key that disappears stays trusted as Missing (RFC 5011 §4) and is Valid again on return.
    @Test func missingKeyStaysTrusted() throws {
        var anchor = try Self.trustingBoth()
        let k1 = try Managed.k1()
        let gone = anchor.update(with: try Managed.rrset("k2"), now: Managed.start + 40 * Managed.day)
        #expect(gone.events == [.missing(keyTag: k1.keyTag)])
        #expect(!gone.trustedKeysChanged)
        #expect(anchor.trustAnchor.dnskeys.contains(k1))
        let back = anchor.update(with: try Managed.rrset("k1"), now: Managed.start + 41 * Managed.day)
        #expect(back.validated)
        #expect(back.events.contains(.returned(keyTag: k1.keyTag)))
        #expect(anchor.state(of: k1) == .valid)
    }

    // MARK: - Refresh timing (RFC 5011 §2.3)

    /// queryInterval = MAX(1 h, MIN(15 d, ½·OrigTTL, ½·expiration interval)).
    @Test func queryInterval() {
        #expect(RefreshSchedule.queryInterval(originalTTL: 172_800, expirationInterval: 100 * 86400) == 86400)
        #expect(RefreshSchedule.queryInterval(originalTTL: 3600, expirationInterval: 100 * 86400) == 3600)
        #expect(RefreshSchedule.queryInterval(originalTTL: 60, expirationInterval: 100 * 86400) == 3600)
        #expect(
            RefreshSchedule.queryInterval(originalTTL: 100 * 86400, expirationInterval: 100 * 86400) == 15 * 86400)
        #expect(RefreshSchedule.queryInterval(originalTTL: 172_800, expirationInterval: 10 * 3600) == 5 * 3600)
        #expect(RefreshSchedule.queryInterval(originalTTL: 172_800, expirationInterval: -5) == 3600)
    }

    /// retryTime = MAX(1 h, MIN(1 d, 0.1·OrigTTL, 0.1·expiration interval)); unknown terms are left out.
    @Test func retryInterval() {
        #expect(RefreshSchedule.retryInterval(originalTTL: 172_800, expirationInterval: 100 * 86400) == 17280)
        #expect(RefreshSchedule.retryInterval(originalTTL: 10 * 86400, expirationInterval: 100 * 86400) == 86400)
        #expect(RefreshSchedule.retryInterval(originalTTL: 3600, expirationInterval: 100 * 86400) == 3600)
        #expect(RefreshSchedule.retryInterval(originalTTL: 172_800, expirationInterval: 50_000) == 5000)
        #expect(RefreshSchedule.retryInterval(originalTTL: nil, expirationInterval: nil) == 86400)
    }

    /// A refresh schedules the next one from the validating RRSIG (OrigTTL 2 days → 1 day); a failure
    /// schedules the retry (10 % of 2 days), and a later success resets the failure count.
    @Test func refreshScheduling() throws {
        var anchor = ManagedTrustAnchor(initial: try Managed.initialAnchor())
        anchor.refreshFailed(now: 100)
        let retry: Int64? = 100 + 86400
        #expect(anchor.nextRefresh == retry, "nothing known yet: the 1-day cap")
        _ = anchor.update(with: try Managed.rrset("k1"), now: Managed.start)
        #expect(anchor.originalTTL == 172_800)
        #expect(anchor.nextRefresh == Managed.start + 86400)
        #expect(!anchor.isRefreshDue(now: Managed.start + 86399))
        #expect(anchor.isRefreshDue(now: Managed.start + 86400))
        anchor.refreshFailed(now: Managed.start + 86400)
        #expect(anchor.nextRefresh == Managed.start + 86400 + 17280)
        #expect(anchor.failures == 1)
        _ = anchor.update(with: try Managed.rrset("k1"), now: Managed.start + 2 * 86400)
        #expect(anchor.failures == 0)
    }

    // MARK: - Rollover simulation

    /// Sixty days of a KSK rollover driven by the store's own schedule on a manual clock, with a restart from
    /// saved state on day 20: K2 is published on day 3, becomes trusted after the hold-down, K1 is revoked on
    /// day 45 and withdrawn on day 50. The zone validates from the store's anchor after every refresh, and the
    /// anchor is never empty.
    @Test func sixtyDayRollover() throws {
        let initial = try Managed.initialAnchor()
        var store = TrustAnchorStore(anchors: [initial], managed: [Managed.zone])
        let k1 = try Managed.k1()
        let k2 = try Managed.k2()
        /// What the zone publishes on a given day.
        func published(day: Int64) throws -> RRSet {
            switch day {
            case ..<3: try Managed.rrset("k1")
            case 3..<45: try Managed.rrset("k1-k2")
            case 45..<50: try Managed.rrset("k1rev-k2")
            default: try Managed.rrset("k2")
            }
        }
        var now = Managed.start
        var refreshes = 0
        var k2TrustedOn: Int64? = nil
        var restarted = false
        while now < Managed.start + 60 * Managed.day {
            let day = (now - Managed.start) / Managed.day
            if day >= 20, !restarted {
                // A restart: a fresh store from the configuration, then the saved state.
                let saved = store.serialisedManagedState()
                store = TrustAnchorStore(anchors: [initial], managed: [Managed.zone])
                #expect(try store.restoreManagedState(saved, source: "state") == [Managed.zone])
                restarted = true
            }
            let rrset = try published(day: day)
            let update = try #require(store.refresh(Managed.zone, with: rrset, now: now))
            #expect(update.validated, "day \(day): \(update.failure?.description ?? "")")
            refreshes += 1
            let anchor = try #require(store.closestAnchor(for: try DomainName("www.managed.example.")))
            #expect(!anchor.isEmpty)
            #expect(Managed.validates(rrset, from: anchor, now: now), "day \(day)")
            if k2TrustedOn == nil, anchor.dnskeys.contains(k2) { k2TrustedOn = day }
            let next = try #require(store.nextRefresh(now: now))
            #expect(next == now + Managed.day)
            now = next
        }
        #expect(refreshes == 60)
        #expect(k2TrustedOn == 33, "published on day 3, trusted 30 days later")
        let final = try #require(store.managedAnchors.first)
        #expect(final.state(of: k1) == .revoked)
        #expect(final.state(of: k2) == .valid)
        #expect(store.closestAnchor(for: Managed.zone)?.dnskeys == [k2])
        #expect(store.zonesWithAllKeysRevoked.isEmpty)
    }
}
