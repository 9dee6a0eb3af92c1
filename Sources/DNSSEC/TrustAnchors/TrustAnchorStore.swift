// Primary responsibilities: the resolver's trust anchors at run time — positive anchors at any names (static or
// kept by RFC 5011), the closest one above a name, and negative trust anchors (RFC 7646) added and removed while
// running; thread-safe, pure (no file I/O, no clock: time is a parameter).

public import DNSWire
import Synchronization

/// Every trust anchor the validator starts chains from, and every negative trust anchor that switches
/// validation off below a name.
///
/// Anchors come from the configuration (``parse(_:source:)``) or ``builtInRoot``; the zones in `managed` follow
/// RFC 5011 (their keys change through ``ManagedTrustAnchor``); the others never change while running. Reads
/// and updates take one lock for a dictionary walk, so the store is shared by every query.
public final class TrustAnchorStore: Sendable {
    /// What the lock guards.
    struct State: Sendable {
        /// Static anchors by owner, DS and DNSKEY records combined (RFC 4035 §5).
        var anchors: [DomainName: TrustAnchor] = [:]
        /// Owners in the order the anchors were given, so ``anchors`` lists them stably.
        var order: [DomainName] = []
        /// RFC 5011 state of each managed zone; when present it decides that zone's anchor (RFC 5011 §2).
        var managed: [DomainName: ManagedTrustAnchor] = [:]
        /// Negative trust anchors by name (RFC 7646 §2).
        var negative: [DomainName: NegativeTrustAnchor] = [:]

        /// The anchor in force at `owner`: the RFC 5011 keys for a managed zone, else the static records.
        func anchor(at owner: DomainName) -> TrustAnchor? {
            if let managed = managed[owner] { return managed.trustAnchor }
            return anchors[owner]
        }
    }

    /// The anchors, negative anchors and RFC 5011 states.
    let state: Mutex<State>

    /// Creates a store.
    ///
    /// - Parameters:
    ///   - anchors: positive anchors; several at one owner combine (a DS and a DNSKEY anchor for one zone both
    ///     count, RFC 4035 §5).
    ///   - negativeAnchors: names below which answers are insecure (RFC 7646 §2).
    ///   - managed: owners whose anchors RFC 5011 keeps up to date; owners without an anchor are ignored, since
    ///     RFC 5011 §2.2 only ever extends trust that exists.
    public init(anchors: [TrustAnchor], negativeAnchors: [NegativeTrustAnchor] = [], managed: Set<DomainName> = []) {
        var state = State()
        for anchor in anchors {
            if let existing = state.anchors[anchor.owner] {
                state.anchors[anchor.owner] = existing.merging(anchor)
            } else {
                state.order.append(anchor.owner)
                state.anchors[anchor.owner] = anchor
            }
        }
        for owner in managed {
            guard let anchor = state.anchors[owner] else { continue }
            state.managed[owner] = ManagedTrustAnchor(initial: anchor)
        }
        for anchor in negativeAnchors { state.negative[anchor.name] = anchor }
        self.state = Mutex(state)
    }

    /// The deepest anchor at or above `name`, where validation of `name` starts (RFC 4035 §4.4, §5: the chain
    /// is built down from the closest enclosing trust anchor); `nil` when none encloses it (data is insecure).
    public func closestAnchor(for name: DomainName) -> TrustAnchor? {
        state.withLock { state in
            var current: DomainName? = name
            while let candidate = current {
                if let anchor = state.anchor(at: candidate) { return anchor }
                current = candidate.parent
            }
            return nil
        }
    }

    /// Every anchor in force, in the order given: RFC 5011 keys for managed zones (RFC 5011 §2), the configured
    /// records otherwise.
    public var anchors: [TrustAnchor] {
        state.withLock { state in state.order.compactMap { state.anchor(at: $0) } }
    }

    /// The owners whose anchors RFC 5011 maintains; empty when updates are off (then no probe is ever due).
    public var managedZones: Set<DomainName> {
        state.withLock { Set($0.managed.keys) }
    }

    // MARK: - RFC 5011

    /// When the earliest RFC 5011 refresh is due (RFC 5011 §2.3), epoch seconds — `now` for a zone never
    /// refreshed (see ``ManagedTrustAnchor/refreshTime(now:)``) — or `nil` when no zone is managed: then the resolver sends no RFC 5011 probe at all.
    public func nextRefresh(now: Int64) -> Int64? {
        state.withLock { state in
            state.managed.values.map { $0.refreshTime(now: now) }.min()
        }
    }

    /// The managed zones whose refresh is due at `now` (RFC 5011 §2.3), in canonical order.
    public func zonesDueForRefresh(now: Int64) -> [DomainName] {
        state.withLock { state in
            state.managed.values.filter { $0.isRefreshDue(now: now) }.map(\.zone).sorted { $0.canonicallyPrecedes($1) }
        }
    }

    /// Applies a DNSKEY RRset fetched for a managed zone (RFC 5011 §2.3) and returns what changed, or `nil`
    /// when `zone` is not managed. The anchor ``closestAnchor(for:)`` returns changes with it.
    @discardableResult
    public func refresh(
        _ zone: DomainName, with dnskeys: RRSet, now: Int64, support: AlgorithmSupport = .system,
        limits: ValidationLimits = .default
    ) -> ManagedTrustAnchor.Update? {
        state.withLock { state in
            state.managed[zone]?.update(with: dnskeys, now: now, support: support, limits: limits)
        }
    }

    /// Records a failed refresh of a managed zone, scheduling the retry (RFC 5011 §2.3 retryTime).
    public func refreshFailed(_ zone: DomainName, now: Int64) {
        state.withLock { $0.managed[zone]?.refreshFailed(now: now) }
    }

    /// The RFC 5011 state of every managed zone, in canonical order.
    public var managedAnchors: [ManagedTrustAnchor] {
        state.withLock { state in
            state.managed.values.sorted { $0.zone.canonicallyPrecedes($1.zone) }
        }
    }

    /// The managed zones that have lost every trusted key (RFC 5011 §5), to be reported loudly.
    public var zonesWithAllKeysRevoked: [DomainName] {
        managedAnchors.filter(\.allKeysRevoked).map(\.zone)
    }

    /// The RFC 5011 state as text for the state file (``TrustAnchorStateFormat``).
    public func serialisedManagedState() -> String {
        TrustAnchorStateFormat.serialise(managedAnchors.map(TrustAnchorStateFormat.ZoneState.init))
    }

    /// Restores RFC 5011 state saved by ``serialisedManagedState()`` (RFC 5011 §2.4: hold-downs and
    /// revocations survive restarts).
    ///
    /// A zone in the text that is not managed now is ignored (updates were switched off, or the anchor was
    /// removed from the configuration); a managed zone with saved keys uses them instead of its configured
    /// anchor, as BIND's managed-keys database does: the configured anchor only starts the trust point.
    /// - Returns: the zones restored.
    /// - Throws: ``TrustAnchorParseError`` naming `source` and the line; nothing is restored then.
    @discardableResult
    public func restoreManagedState(_ text: String, source: String) throws(TrustAnchorParseError) -> [DomainName] {
        let saved = try TrustAnchorStateFormat.parse(text, source: source)
        return state.withLock { state in
            var restored: [DomainName] = []
            for zone in saved where state.managed[zone.zone] != nil {
                state.managed[zone.zone]?.restore(zone)
                restored.append(zone.zone)
            }
            return restored
        }
    }

    // MARK: - Negative trust anchors (RFC 7646)

    /// The negative trust anchor in force at `now` whose name is `name` or an ancestor of it, the deepest one
    /// when several are (RFC 7646 §2: an NTA covers its name and all names below); `nil` when validation
    /// applies. Expired anchors are ignored (RFC 7646 §2).
    public func negativeAnchor(covering name: DomainName, now: Int64) -> NegativeTrustAnchor? {
        state.withLock { state in
            guard !state.negative.isEmpty else { return nil }
            var current: DomainName? = name
            while let candidate = current {
                if let anchor = state.negative[candidate], anchor.isActive(at: now) { return anchor }
                current = candidate.parent
            }
            return nil
        }
    }

    /// Adds or replaces the negative trust anchor at `anchor.name`, as an operator does at run time through
    /// the control tool (RFC 7646 §2: NTAs are set by operators when a zone's validation is known broken).
    public func addNegativeAnchor(_ anchor: NegativeTrustAnchor) {
        state.withLock { $0.negative[anchor.name] = anchor }
    }

    /// Removes the negative trust anchor at `name` (RFC 7646 §4: remove it once the zone validates again).
    /// - Returns: whether there was one.
    @discardableResult
    public func removeNegativeAnchor(_ name: DomainName) -> Bool {
        state.withLock { $0.negative.removeValue(forKey: name) != nil }
    }

    /// Every negative trust anchor, expired ones included until removed, in canonical name order.
    public var negativeAnchors: [NegativeTrustAnchor] {
        state.withLock { state in
            state.negative.values.sorted { $0.name.canonicallyPrecedes($1.name) }
        }
    }

    /// Drops the negative anchors whose expiry has passed (RFC 7646 §2), so listings stay short.
    /// - Returns: the names dropped.
    @discardableResult
    public func removeExpiredNegativeAnchors(now: Int64) -> [DomainName] {
        state.withLock { state in
            let expired = state.negative.values.filter { !$0.isActive(at: now) }.map(\.name)
            for name in expired { state.negative.removeValue(forKey: name) }
            return expired
        }
    }
}
