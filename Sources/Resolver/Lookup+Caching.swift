// Primary responsibilities: put what a scrubbed response taught us into the cache with the rank
// RFC 2181 §5.4.1 gives its source, and build the delegation point a referral describes.

public import DNSCache
public import DNSSEC
public import DNSWire

extension Lookup {
    /// Caches a referral's NS set (authority, non-authoritative), its DS set if any, and its glue
    /// (additional rank, never served as an answer), and returns the new delegation point with the
    /// glue and any cached addresses of its name servers.
    func cacheReferral(_ response: Message, child: DomainName) -> DelegationPoint {
        let now = self.now
        let cache = engine.cache
        var hosts: [DomainName] = []
        var ttl: UInt32 = 0
        for rrset in response.authority where rrset.name == child {
            switch rrset.type {
            case .ns:
                cache.insert(rrset, rank: .authorityNonAuthoritative, status: .unchecked, now: now)
                ttl = rrset.ttl
                for case .ns(let ns) in rrset.rdatas where !hosts.contains(ns.nameServer) {
                    hosts.append(ns.nameServer)
                }
            case .ds:
                cache.insert(rrset, rank: .authorityNonAuthoritative, status: .unchecked, now: now)
            default:
                continue
            }
        }
        for glue in response.additional { cache.insert(glue, rank: .additional, status: .unchecked, now: now) }
        var addresses: [DomainName: [ServerAddress]] = [:]
        for host in hosts {
            let glue = response.additional.filter { $0.name == host }.flatMap(Self.addresses(in:))
            addresses[host] = glue.isEmpty ? cachedAddresses(of: host) : glue
        }
        return DelegationPoint(
            zone: child, nameServers: hosts, addresses: addresses, source: .delegation,
            expiry: now.seconds + Int64(ttl))
    }

    /// Caches the answer section: AA data as answer-authoritative, a forwarder's as
    /// answer-non-authoritative (RFC 2181 §5.4.1), and addresses of an NS answer's servers
    /// (priming, RFC 8109 §4.1) as additional data.
    ///
    /// A zone's own NS set never outlives its parent's delegation: its TTL is capped to what is
    /// left of the delegation point's, so a child cannot keep a revoked delegation alive (ghost
    /// domains, Jiang et al., NDSS 2012; RFC 2181 §5.4.1 would otherwise let it replace the
    /// parent's set with any TTL it likes).
    func cacheAnswer(_ response: Message, chain: AnswerChain, delegation: DelegationPoint) {
        let now = self.now
        let rank: TrustRank = response.header.authoritativeAnswer ? .answerAuthoritative : .answerNonAuthoritative
        for var rrset in response.answer {
            if rrset.type == .ns && rrset.name == delegation.zone && !delegation.isForward {
                let left = delegation.expiry - now.seconds
                guard left > 0 else { continue }
                rrset.ttl = min(rrset.ttl, UInt32(clamping: left))
            }
            engine.cache.insert(rrset, rank: rank, status: .unchecked, now: now)
        }
        if response.answer.contains(where: { $0.type == .ns }) {
            for glue in response.additional {
                engine.cache.insert(glue, rank: .additional, status: .unchecked, now: now)
            }
        }
    }

    /// Caches a denial of `name` (RFC 2308 §5) with its SOA and NSEC/NSEC3 proofs, for
    /// min(SOA TTL, SOA MINIMUM) seconds. Without an SOA nothing is cached: RFC 2308 §5 says a
    /// negative answer without one "SHOULD NOT be cached".
    func cacheNegative(_ response: Message, name: DomainName, denial: NegativeAnswer.Denial) {
        guard let soa = response.authority.first(where: { $0.type == .soa && name.isSubdomain(of: $0.name) }),
            case .soa(let record)? = soa.rdatas.first
        else { return }
        let proofs = response.authority.filter { $0.type == .nsec || $0.type == .nsec3 }
        let rank: TrustRank =
            response.header.authoritativeAnswer ? .authorityAuthoritative : .authorityNonAuthoritative
        engine.cache.insert(
            NegativeAnswer(
                name: name, denial: denial, soa: soa, proofs: proofs, ttl: min(soa.ttl, record.minimum), rank: rank,
                status: .unchecked),
            now: now)
    }
}

extension IterativeResolver {
    /// Remembers that `server` is lame for `zone` (RFC 1034 §4.2.2), so it is asked last.
    func recordLame(_ server: ServerAddress, zone: DomainName) {
        infrastructure.markLame(server, zone: zone, now: CacheTime(seconds: clock.wallSeconds))
    }
}
