// Primary responsibilities: the chain of trust through its own interface — a fetcher scripted to
// fail shows what a zone cut is worth when its DS cannot be had (bogus, never insecure).

import DNSCache
import DNSSEC
import DNSWire
import ResolverTestKit
import Testing

@testable import Resolver

/// A fetcher whose every DNSKEY or DS fetch ends as `result`.
private struct ScriptedFetcher: ValidationFetching {
    let result: Resolution

    func fetchForValidation(
        _ question: Question, site: String, state: inout ResolutionState
    ) async -> ValidationFetch {
        .resolved(result)
    }
}

@Suite("Chain of trust")
struct ChainOfTrustTests {
    /// A validating engine whose only anchor is a DS for `example.` (algorithm 13, SHA-256).
    static func engine() -> IterativeResolver {
        let anchor = TrustAnchor(
            owner: "example.",
            ds: [
                DS(keyTag: 1, algorithm: .ecdsaP256SHA256, digestType: .sha256, digest: Array(repeating: 7, count: 32))
            ])
        var configuration = ResolverConfiguration()
        configuration.validation = ValidationSettings(enabled: true, anchors: TrustAnchorStore(anchors: [anchor]))
        let clock = ManualClock()
        return IterativeResolver(
            configuration: configuration, transport: ScriptedNetwork(clock: clock), clock: clock,
            cache: ResolverCache(), infrastructure: InfrastructureCache())
    }

    @Test(
        "a DS fetch that fails (SERVFAIL, no verdict) makes the cut bogus with RDSF, never insecure",
        arguments: [
            ResolutionFailure(.noReachableAuthority, site: "ZUNR", "no server of example. answered"),
            ResolutionFailure(.noReachableAuthority, site: "XTMO", "resolution timed out"),
        ])
    func dsFetchFailure(failure: ResolutionFailure) async throws {
        let engine = Self.engine()
        let chain = ChainOfTrust(engine: engine, fetcher: ScriptedFetcher(result: .failure(failure)))
        var state = ResolutionState(started: .zero)
        // The parent is secure: only the child's DS decides.
        state.trust["example."] = .secure(
            ZoneKeySet(dnskeyRRSet: RRSet(name: "example.", type: .dnskey, ttl: 300, rdatas: [])))
        let outcome = await chain.delegationSigner(for: "child.example.", state: &state)
        #expect(outcome.status == .bogus, "\(outcome)")
        #expect(outcome.reason?.site == "RDSF" && outcome.reason?.code == .dnskeyMissing)
        #expect(outcome.reason?.detail.contains(failure.detail) == true)
        // And it is remembered as bogus, not as a proven unsigned delegation.
        let now = CacheTime(seconds: engine.clock.wallSeconds)
        #expect(engine.cache.lookupDelegationSigner(zone: "child.example.", now: now)?.status == .bogus)
    }
}
