// Primary responsibilities: RFC 5011 automated trust-anchor maintenance — the loop that sleeps
// until a managed zone's refresh is due, fetches its DNSKEY RRset, hands it to the store (which
// validates it against the keys it trusts and moves each key through its states), drops cached
// keys when the trusted keys changed, and saves the state file.

import DNSCache
import DNSSEC
import DNSWire
import Logging
import Resolver
import Synchronization

extension ResolverService {
    /// The longest the loop sleeps before looking again (a clock jump is noticed then).
    static let longestMaintenanceSleep: Int64 = 3600

    /// Whether the engine in force validates (`dnssec.validation`). RFC 5011 §2 maintains anchors for a
    /// validator: with validation off nothing uses them, so none is probed.
    var validating: Bool { resolver.configuration.validation.enabled }

    /// Starts (or restarts) the loop; with nothing managed, or with validation off, there is no loop
    /// and so not a single RFC 5011 query (static anchors are never probed). A reload that turns
    /// validation on or off calls it again, which starts or stops the loop.
    func startMaintenance() {
        let store = trustAnchors
        let validating = validating
        maintenance.withLock { task in
            task?.cancel()
            task = nil
            guard validating, !store.managedZones.isEmpty else { return }
            task = Task { [self] in await maintain(store) }
        }
    }

    /// Sleeps until the next refresh is due (RFC 5011 §2.3), then refreshes; ends when cancelled
    /// or when nothing is managed any more.
    private func maintain(_ store: TrustAnchorStore) async {
        while !Task.isCancelled {
            guard let next = store.nextRefresh(now: clock.wallSeconds) else { return }
            let wait = min(max(next - clock.wallSeconds, 0), Self.longestMaintenanceSleep)
            if wait > 0 {
                do { try await Task.sleep(for: .seconds(wait)) } catch { return }
                continue
            }
            await refreshDueAnchors(store)
        }
    }

    /// One pass of the loop: fetches the DNSKEY RRset of each zone due now with CD=1 (the store
    /// validates it itself, against the keys it trusts, RFC 5011 §2.2), applies it, flushes the
    /// zone's cached keys when the trusted keys changed, and saves the state (RFC 5011 §2.4:
    /// hold-downs survive restarts). A failed fetch, or a DNSKEY RRset the trusted keys do not
    /// validate, is logged with its reason and retried at the store's retry time (§2.3).
    /// With validation off it sends nothing.
    /// - Parameter store: the store to refresh; by default the one in force.
    /// - Returns: the zones whose refresh failed.
    @discardableResult
    package func refreshDueAnchors(_ store: TrustAnchorStore? = nil) async -> [DomainName] {
        guard validating else { return [] }
        let store = store ?? trustAnchors
        var failed: [DomainName] = []
        for zone in store.zonesDueForRefresh(now: clock.wallSeconds) {
            let answer = await resolver.resolve(Question(name: zone, type: .dnskey), checkingDisabled: true)
            let now = clock.wallSeconds
            guard answer.rcode == .noError,
                let dnskeys = answer.answer.first(where: { $0.type == .dnskey && $0.name == zone }),
                let update = store.refresh(zone, with: dnskeys, now: now)
            else {
                store.refreshFailed(zone, now: now)
                failed.append(zone)
                logger.warning(
                    "RFC 5011 refresh failed; will retry", metadata: ["zone": "\(zone)", "rcode": "\(answer.rcode)"])
                continue
            }
            if !update.validated {
                // RFC 5011 §2.3: a DNSKEY RRset the trusted keys do not validate is a failed refresh
                // (the store has scheduled the retry); the reason and its site tag are the only
                // place an operator can see why, since no client asked.
                failed.append(zone)
                logger.warning(
                    "RFC 5011 refresh failed; will retry",
                    metadata: [
                        "zone": "\(zone)", "reason": "\(update.failure?.description ?? "not validated")",
                        "site": "\(update.failure?.site ?? "")",
                    ])
            }
            if update.trustedKeysChanged {
                _ = cache.flush(name: zone)
                answersChanged()
                logger.notice("RFC 5011: trusted keys changed", metadata: ["zone": "\(zone)"])
            }
            if store.zonesWithAllKeysRevoked.contains(zone) {
                logger.error(
                    "RFC 5011: every trust anchor key is revoked; validation fails closed",
                    metadata: ["zone": "\(zone)"])
            }
        }
        let stateFile = anchors.withLock { $0.store === store ? $0.stateFile : nil }
        _ = stateFile?.save(store)
        return failed
    }
}
