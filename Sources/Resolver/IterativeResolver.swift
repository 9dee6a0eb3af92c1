// Primary responsibilities: answer a question by walking the delegation tree from the closest
// known zone cut (RFC 1034 §5.3.3), with the cache consulted first and filled as we go, identical
// questions in flight joined, and every step bounded by ResolutionLimits.

public import DNSCache
public import DNSSEC
public import DNSWire
import Synchronization

/// The iterative resolution engine.
///
/// It never opens a socket and never reads a clock of its own: queries go through the injected
/// ``UpstreamTransport`` and time comes from the injected ``ResolverClock``, so a whole resolution,
/// timeouts included, runs in a test against a scripted network (architecture §4).
public final class IterativeResolver: Sendable {
    /// The settings.
    public let configuration: ResolverConfiguration
    /// Where queries go.
    let transport: any UpstreamTransport
    /// Where time comes from.
    let clock: any ResolverClock
    /// The shared cache.
    public let cache: ResolverCache
    /// What is known about upstream servers: RTT, EDNS, lameness (shared across resolutions).
    public let infrastructure: InfrastructureCache
    /// Resolutions in flight, so that identical questions wait for one another.
    private let inFlight = Mutex<[InFlightKey: Task<Resolution, Never>]>([:])

    /// Creates an engine.
    public init(
        configuration: ResolverConfiguration, transport: any UpstreamTransport, clock: any ResolverClock,
        cache: ResolverCache, infrastructure: InfrastructureCache
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.cache = cache
        self.infrastructure = infrastructure
    }

    /// The identity of an in-flight resolution: the question, case-folded.
    struct InFlightKey: Hashable, Sendable {
        /// The question.
        var question: Question
    }

    /// Resolves `question`, joining an identical resolution already in flight.
    public func resolve(_ question: Question) async -> Resolution {
        if let cached = answerFromCache(question) { return cached }
        let key = InFlightKey(question: question)
        let (task, isNew) = inFlight.withLock { table -> (Task<Resolution, Never>, Bool) in
            if let running = table[key] { return (running, false) }
            let task = Task { await self.resolveUncached(question) }
            table[key] = task
            return (task, true)
        }
        let result = await task.value
        if isNew { _ = inFlight.withLock { $0.removeValue(forKey: key) } }
        return result
    }

    /// Answers from the cache alone, following cached CNAMEs; nil when anything is missing.
    ///
    /// This is the daemon's fast path, called synchronously on a listener thread, and the whole
    /// answer for RD=0 queries: it sends nothing and never waits.
    public func answerFromCache(_ question: Question) -> Resolution? {
        let now = CacheTime(seconds: clock.wallSeconds)
        var chain: [RRSet] = []
        var name = question.name
        var status = SecurityStatus.secure
        for _ in 0...configuration.limits.maxCNAMEChain {
            switch cachedStep(Question(name: name, type: question.type, rrClass: question.rrClass), now: now) {
            case .none:
                return nil
            case .data(let rrset, let rrsetStatus):
                status = min(status, rrsetStatus)
                return Resolution(rcode: .noError, answer: chain + [rrset], status: status, fromCache: true)
            case .alias(let cname, let target, let cnameStatus):
                chain.append(cname)
                status = min(status, cnameStatus)
                name = target
            case .negative(let negative):
                status = min(status, negative.status)
                return Resolution(
                    rcode: negative.denial == .nxdomain ? .nxDomain : .noError, answer: chain,
                    authority: (negative.soa.map { [$0] } ?? []) + negative.proofs, status: status, fromCache: true)
            }
        }
        return nil
    }

    /// What the cache says about one name and type.
    enum CachedStep {
        /// Nothing usable.
        case none
        /// The RRset itself.
        case data(RRSet, SecurityStatus)
        /// A CNAME at the name, leading to `target`.
        case alias(RRSet, target: DomainName, SecurityStatus)
        /// A cached denial.
        case negative(CachedNegative)
    }

    /// Looks one name and type up in the cache. Glue and referral data (below answer rank) never
    /// answer a client: RFC 2181 §5.4.1 says such data must not be returned as an answer.
    func cachedStep(_ question: Question, now: CacheTime) -> CachedStep {
        if let hit = cache.lookup(question.name, question.type, question.rrClass, now: now),
            hit.rank >= .answerNonAuthoritative, hit.status != .bogus
        {
            return .data(hit.rrset, hit.status)
        }
        if question.type != .cname,
            let hit = cache.lookup(question.name, .cname, question.rrClass, now: now),
            hit.rank >= .answerNonAuthoritative, hit.status != .bogus,
            case .cname(let cname)? = hit.rrset.rdatas.first
        {
            return .alias(hit.rrset, target: cname.target, hit.status)
        }
        if let negative = cache.lookupNegative(question.name, question.type, question.rrClass, now: now),
            negative.status != .bogus
        {
            return .negative(negative)
        }
        return .none
    }

    /// Resolves with the network, from a fresh budget.
    func resolveUncached(_ question: Question) async -> Resolution {
        var state = ResolutionState(started: clock.monotonicNow)
        let lookup = Lookup(engine: self)
        return await lookup.resolve(question, state: &state)
    }
}
