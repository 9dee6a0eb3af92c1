// Primary responsibilities: every bound on work that remote data can drive, in one place, each
// with the attack or accident it stops. Defaults follow the peers (architecture.md §5, peers.md §4).

/// Bounds on one client query's resolution. Every loop in the engine that remote data can drive
/// checks one of these; none resets during a resolution.
package struct ResolutionLimits: Hashable, Sendable {
    /// Upstream queries sent for one client query, all sub-queries included (NS address lookups,
    /// DS/DNSKEY fetches, retries). Stops NXNSAttack-style amplification (NXNSAttack, 2020),
    /// TsuNAME cyclic delegations and any loop the other limits miss. Unbound: 128 per query.
    package var maxUpstreamQueries = 100
    /// Referrals followed for one name. A real tree is shallow; long chains are attacks or loops.
    package var maxReferrals = 30
    /// NS names whose addresses are looked up per delegation. A delegation may list many NS names
    /// (NXNSAttack relies on that); RFC 2182 needs only a few. Unbound's MAX_TARGET_COUNT family.
    package var maxNameServerLookupsPerDelegation = 13
    /// NS names per delegation that may come back NXDOMAIN before the delegation is given up:
    /// a few broken NS names happen, a stream of them is NXNSAttack (unbound MAX_TARGET_NX = 5).
    package var maxNXDOMAINNameServers = 5
    /// CNAME and DNAME links followed (RFC 1034 §3.6.2 warns of loops; BIND and Unbound use ~11).
    package var maxCNAMEChain = 11
    /// Depth of nested sub-resolutions (an NS name whose address needs another NS name's address…).
    /// Bounds recursion on the stack as well as work; TsuNAME-style cycles end here.
    package var maxSubqueryDepth = 6
    /// Depth of nested DS and DNSKEY fetches while building one chain of trust. Each level is one
    /// zone cut further up (RFC 4035 §5), so real chains stay far below this; a hostile hierarchy
    /// of signer names or a dependency cycle ends here, with a bogus verdict (EDE 9).
    package var maxValidationDepth = 24
    /// Labels below a signed zone (or below the trust anchor, behind a forwarder) that the search
    /// for a zone cut over unsigned data asks DS for, one question each (RFC 4035 §4.3, §5.2;
    /// ``Lookup/zoneCutSearch(for:from:state:)``). Cuts sit near the top of a name, and 24 labels reach
    /// an ip6.arpa name's /88 from the root; past the limit the data is judged by the deepest zone
    /// found, so a long name under a signed zone costs at most this many DS questions, never an
    /// insecure verdict.
    package var maxZoneCutSearchLabels = 24
    /// QNAME minimisation queries per resolution before the rest of the name is sent at once
    /// (RFC 9156 §2.3: MAX_MINIMISE_COUNT 10; the first MINIMISE_ONE_LAB 4 labels go one by one).
    package var maxMinimisationSteps = 10
    /// Labels that are always revealed one at a time before steps grow (RFC 9156 §2.3).
    package var minimiseOneLabelCount = 4
    /// Wall time for one resolution; past it the answer is SERVFAIL with EDE 22.
    package var resolutionTimeout: Duration = .seconds(10)
    /// Timeout for one upstream query before another server is tried; grows with the server's
    /// smoothed RTT, within these bounds (RFC 6298 §2 style back-off).
    package var minimumQueryTimeout: Duration = .milliseconds(400)
    /// The longest one upstream query is waited for.
    package var maximumQueryTimeout: Duration = .seconds(3)
    /// The shortest wait for a forwarder: it resolves before it answers, often asking several
    /// authorities (one of them silent, each costing it a timeout), so its first answer to a new
    /// name takes longer than any round trip to an authority. 400 ms gave up on a forwarder that
    /// was still resolving a name with a dead name server (lab/e2e, forwarding pass).
    package var minimumForwarderQueryTimeout: Duration = .milliseconds(1500)
    /// Failed exchanges (timeouts, lame, unusable answers) with one zone's servers before the
    /// zone is deemed unreachable: a zone may list many names with many addresses each, and
    /// trying every one of them would turn one client query into dozens of timeouts.
    package var maxAttemptsPerQuestion = 8
    /// Times one server may time out during one client query. The first timeout moves on to the
    /// zone's other servers; once every candidate has been tried, a server that timed out is
    /// asked once more with its backed-off timeout (RFC 6298 §5.5), because one lost datagram must
    /// not make a single-server zone or a lone forwarder fail (RFC 1035 §4.2.1 expects
    /// retransmission). BIND and Unbound likewise retry before giving up.
    package var maxTimeoutsPerServer = 2

    /// The defaults above.
    package init() {}
}
