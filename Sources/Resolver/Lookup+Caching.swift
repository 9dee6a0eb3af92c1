// Primary responsibilities: put what a scrubbed response taught us into the cache with the rank
// RFC 2181 §5.4.1 gives its source, and build the delegation point a referral describes.

import DNSCache
import DNSSEC
import DNSWire

extension Lookup {
    /// Caches a referral's NS set (authority, non-authoritative), its DS set if any, and its glue
    /// (additional rank, never served as an answer), and returns the new delegation point with the
    /// glue and any cached addresses of its name servers. The NS set and glue are also kept as the
    /// cut's parent side (``ResolverCache/insertDelegation(_:glue:now:)``), for the fallback when
    /// the servers the child names fail (``parentSide(of:)``).
    func cacheReferral(_ response: Message, child: DomainName) -> DelegationPoint {
        let now = self.now
        let cache = engine.cache
        var hosts: [DomainName] = []
        var ttl: UInt32 = 0
        for rrset in response.authority where rrset.name == child {
            switch rrset.type {
            case .ns:
                cache.insert(rrset, rank: .authorityNonAuthoritative, status: .unchecked, now: now)
                cache.insertDelegation(rrset, glue: response.additional, now: now)
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
    /// Each RRset goes in with its verdict (RFC 4035 §4.5): validated data at rank `validated` with
    /// the TTL its RRSIG allows (RFC 4035 §5.3.3), bogus data too — the cache keeps it at most
    /// `bogus-ttl`, and only a CD=1 query may see it (RFC 4035 §3.2.2). A judged DNSKEY RRset also
    /// goes to the key cache and a judged DS RRset to the DS cache, so chains resume from them.
    ///
    /// A zone's own NS set never outlives its parent's delegation: its TTL is capped to what is
    /// left of the delegation point's, so a child cannot keep a revoked delegation alive (ghost
    /// domains, Jiang et al., NDSS 2012; RFC 2181 §5.4.1 would otherwise let it replace the
    /// parent's set with any TTL it likes).
    ///
    /// A wildcard expansion is cached with the NSEC/NSEC3 proving it (RFC 4035 §3.2: a
    /// security-aware recursive server keeps them for its DO=1 clients) and no longer than they
    /// may be; a secure one also under its wildcard owner, as signed, so that other names the
    /// cached proofs show absent are answered from it (RFC 8198 §5.3). A CNAME synthesised from a DNAME is not cached apart from its DNAME: it has no
    /// signature of its own, the DNAME vouches for it (RFC 6672 §5.3.1), and alone it would answer
    /// a later question without the record that makes it true (§3.1); the cache synthesises it
    /// again from the cached DNAME instead.
    func cacheAnswer(_ response: Message, chain: AnswerChain, delegation: DelegationPoint, judgement: Judgement) {
        let now = self.now
        let rank: TrustRank = response.header.authoritativeAnswer ? .answerAuthoritative : .answerNonAuthoritative
        let synthesised = Set(chain.links.filter { $0.dname != nil }.map(\.owner))
        for var rrset in response.answer {
            if rrset.type == .cname && synthesised.contains(rrset.name) { continue }
            if rrset.type == .ns && rrset.name == delegation.zone && !delegation.isForward {
                let left = delegation.expiry - now.seconds
                guard left > 0 else { continue }
                rrset.ttl = min(rrset.ttl, UInt32(clamping: left))
            }
            let part = judgement.parts[rrset.key]
            let verdict = part?.verdict ?? judgement.verdict
            var rrsetRank = rank
            if verdict.status == .secure, let ttl = part?.ttl {
                rrset.ttl = min(rrset.ttl, ttl)
                rrsetRank = .validated
            }
            let proof = judgement.wildcardProofs[rrset.key]
            if let proof { rrset.ttl = min(rrset.ttl, proof.ttl) }
            engine.cache.insert(
                rrset, rank: rrsetRank, status: verdict.status, reason: verdict.reason, proofs: proof?.rrsets ?? [],
                now: now)
            guard validating, part != nil else { continue }
            if rrset.type == .dnskey {
                engine.cache.insertKeys(rrset, status: verdict.status, reason: verdict.reason, now: now)
            } else if rrset.type == .ds {
                engine.cache.insertDelegationSigner(rrset, status: verdict.status, reason: verdict.reason, now: now)
            }
        }
        for source in judgement.wildcardSources {
            engine.cache.insert(source, rank: .validated, status: .secure, now: now)
        }
        if response.answer.contains(where: { $0.type == .ns }) {
            for glue in response.additional {
                engine.cache.insert(glue, rank: .additional, status: .unchecked, now: now)
            }
        }
    }

    /// Caches a denial of `name` (RFC 2308 §5) with its SOA and NSEC/NSEC3 proofs, for
    /// min(SOA TTL, SOA MINIMUM) seconds, and no longer than its validated proofs' signatures
    /// allow (RFC 4035 §5.3.3), with the verdict on the proof. Without an SOA nothing is cached:
    /// RFC 2308 §5 says a negative answer without one "SHOULD NOT be cached".
    func cacheNegative(
        _ response: Message, name: DomainName, denial: NegativeAnswer.Denial, judgement: Judgement
    ) {
        guard let soa = response.authority.first(where: { $0.type == .soa && name.isSubdomain(of: $0.name) }),
            case .soa(let record)? = soa.rdatas.first
        else { return }
        let proofs = response.authority.filter { $0.type == .nsec || $0.type == .nsec3 }
        let verdict = judgement.verdict
        var rank: TrustRank =
            response.header.authoritativeAnswer ? .authorityAuthoritative : .authorityNonAuthoritative
        var ttl = min(soa.ttl, record.minimum)
        if verdict.status == .secure {
            rank = .validated
            ttl = min(ttl, judgement.denialTTL ?? ttl)
        }
        engine.cache.insert(
            NegativeAnswer(
                name: name, denial: denial, soa: soa, proofs: proofs, ttl: ttl, rank: rank, status: verdict.status,
                reason: verdict.reason),
            now: now)
    }

    /// Caches a judged answer and turns it into the step's outcome: data, an alias to follow, or
    /// a denial with its SOA and proofs. Used for the accepted answer and, once every server gave
    /// a bogus one, for the last of those (kept for CD=1 clients, RFC 4035 §3.2.2).
    func settle(_ answer: JudgedAnswer, delegation: DelegationPoint) -> StepOutcome {
        let clean = answer.response
        let chain = answer.chain
        let verdict = answer.judgement.verdict
        cacheAnswer(clean, chain: chain, delegation: delegation, judgement: answer.judgement)
        let links = chainRRsets(clean, chain: chain)
        let proofs = answer.judgement.wildcardProofs(for:)
        switch answer.kind {
        case .cname(let target):
            return .alias(links, target: target, proofs: proofs(links), verdict)
        case .nxdomain:
            cacheNegative(clean, name: chain.finalName, denial: .nxdomain, judgement: answer.judgement)
            return .negative(
                rcode: .nxDomain, links: links, authority: Self.merging(proofs(links), negativeAuthority(clean)),
                verdict)
        case .nodata:
            cacheNegative(clean, name: chain.finalName, denial: .nodata(answer.asked.type), judgement: answer.judgement)
            return .negative(
                rcode: .noError, links: links, authority: Self.merging(proofs(links), negativeAuthority(clean)),
                verdict)
        default:
            let asked = answer.asked
            let rrsets =
                links
                + clean.answer.filter {
                    $0.name == chain.finalName && ($0.type == asked.type || asked.type == .any)
                }
            return .data(rrsets, proofs: proofs(rrsets), verdict)
        }
    }

    /// The verdict on a DS question the parent side answered with a referral to the child instead
    /// of DS or a denial: whatever DS or proof the referral carries is judged and cached; the
    /// answer itself proves nothing, so below a secure parent it is bogus (EDE 12).
    func unprovenDelegationSigner(
        _ response: Message, child: DomainName, delegation: DelegationPoint, state: inout ResolutionState
    ) async -> Verdict {
        guard validating else { return Verdict(.unchecked) }
        _ = await judgeReferral(response, child: child, delegation: delegation, state: &state)
        switch await chainOfTrust.zoneTrust(delegation.zone, state: &state) {
        case .insecure(let reason): return Verdict(.insecure, reason)
        case .bogus(let reason): return Verdict(.bogus, reason)
        case .secure:
            return Verdict(
                .bogus,
                ValidationReason(
                    bogus: .nsecMissing, site: "RDSR",
                    "DS \(child): \(delegation.zone) answered with a referral, neither DS nor a proof of none"))
        }
    }
}

/// A response with the verdict on it, as iteration hands it on or holds it back while other
/// servers are tried.
struct JudgedAnswer {
    /// The scrubbed response.
    var response: Message
    /// What it means.
    var kind: ResponseKind
    /// The question it answered.
    var asked: Question
    /// Its CNAME/DNAME links.
    var chain: AnswerChain
    /// The verdict.
    var judgement: Judgement
}

extension IterativeResolver {
    /// Remembers that `server` is lame for `zone` (RFC 1034 §4.2.2), so it is asked last.
    func recordLame(_ server: ServerAddress, zone: DomainName) {
        infrastructure.markLame(server, zone: zone, now: CacheTime(seconds: clock.wallSeconds))
    }
}
