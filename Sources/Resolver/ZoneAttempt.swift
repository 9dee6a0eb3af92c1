// Primary responsibilities: the state of asking one zone's servers — which were tried and failed,
// which name servers' addresses were looked up — and the readable reason when all of them fail.

import DNSCache
import DNSWire

/// Asking the servers of one delegation point, until one gives a usable answer.
struct ZoneAttempt {
    /// The delegation point; addresses found by sub-resolutions are added to it.
    var delegation: DelegationPoint
    /// Servers that failed for this zone during this resolution (lame, garbage, network error):
    /// never asked again here.
    var failed: Set<ServerAddress> = []
    /// Servers that timed out for this zone: asked again only when no other candidate is left,
    /// within ``ResolutionLimits/maxTimeoutsPerServer``.
    var timedOut: Set<ServerAddress> = []
    /// Failed exchanges with this zone's servers (``ResolutionLimits/maxAttemptsPerQuestion``).
    var failures = 0
    /// Why each failed, in order, for the EDE text.
    var problems: [String] = []
    /// Name servers whose addresses were already looked up (successfully or not).
    var lookedUp: Set<DomainName> = []
    /// Name-server address lookups started (``ResolutionLimits/maxNameServerLookupsPerDelegation``).
    var nameServerLookups = 0
    /// Name servers that came back NXDOMAIN (``ResolutionLimits/maxNXDOMAINNameServers``).
    var nonexistentNameServers = 0
    /// Whether the cut's parent side has replaced the child's servers (``fallBack(to:)``).
    var triedParentSide = false

    /// Starts asking `delegation`.
    init(delegation: DelegationPoint) { self.delegation = delegation }

    /// Records that `server` failed, and why.
    mutating func fail(_ server: ServerAddress, _ reason: String) {
        failed.insert(server)
        failures += 1
        problems.append(reason)
    }

    /// Records that `server` timed out; it may be asked again after the others.
    mutating func timeOut(_ server: ServerAddress, _ reason: String) {
        timedOut.insert(server)
        failures += 1
        problems.append(reason)
    }

    /// Goes on with the parent side of the cut, once, when every server the child named failed:
    /// the servers already asked stay failed and every count goes on (failed exchanges, name-server
    /// lookups), so the fallback takes nothing from the limits that the child's servers left
    /// (``ResolutionLimits/maxAttemptsPerQuestion``, ``ResolutionLimits/maxNameServerLookupsPerDelegation``).
    /// - Returns: whether there is a parent side to try.
    mutating func fallBack(to parentSide: DelegationPoint?) -> Bool {
        guard !triedParentSide, let parentSide else { return false }
        triedParentSide = true
        delegation = parentSide
        return true
    }

    /// The SERVFAIL reason when no server of the zone could answer (RFC 8914 EDE 22), naming the
    /// last three problems met.
    func unreachable(_ question: Question) -> ResolutionFailure {
        let zone = delegation.zone
        var text = "no reachable authority for \(zone) while resolving \(question)"
        if triedParentSide { text += " (its servers and the parent's NS set tried)" }
        if !problems.isEmpty {
            text += ": " + problems.suffix(3).joined(separator: "; ")
            if problems.count > 3 { text += " (and \(problems.count - 3) more)" }
        } else if delegation.allAddresses.isEmpty {
            text += ": no usable address for any of its \(delegation.nameServers.count) name servers"
        }
        return ResolutionFailure(.noReachableAuthority, site: "ZUNR", text)
    }
}
